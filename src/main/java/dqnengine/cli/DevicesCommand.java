package dqnengine.cli;

import dqnengine.backend.opencl.OpenCl;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code devices}: the OpenCL platforms and devices found, numbered as {@code --device opencl:N} will count them. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List the OpenCL platforms and devices found.",
                "Device N here is --device opencl:N of train, eval and bench; --device auto takes the first GPU."})
final class DevicesCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        List<OpenCl.Platform> platforms = OpenCl.platforms();
        for (OpenCl.Platform p : platforms) {
            System.out.printf(Locale.ROOT, "platform: %s (%s, %s)%n", p.name(), p.vendor(), p.version());
            if (p.devices().isEmpty()) System.out.println("  (no devices)");
            for (OpenCl.Device d : p.devices()) {
                System.out.printf(Locale.ROOT, "  opencl:%d  %s  [%s, %s, %d compute units, %.1f GB global, %d KB local, work groups up to %d]%n",
                        d.index(), d.name(), d.type(), d.version(), d.computeUnits(), d.globalMemBytes() / 1e9, d.localMemBytes() / 1024,
                        d.maxWorkGroupSize());
            }
        }
        return 0;
    }
}
