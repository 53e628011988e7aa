package dqnengine.cli;

import dqnengine.backend.opencl.GemmTuning;
import dqnengine.backend.opencl.OpenCl;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code devices}: the OpenCL platforms and devices found, numbered as {@code --device opencl:N} will count them. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List the OpenCL platforms and devices found.",
                "Device N here is --device opencl:N of train, eval and bench; --device auto takes the first GPU.",
                "With --tune, also times the gemm kernel's tile sizes on each device and caches the fastest",
                "(under $XDG_CONFIG_HOME/dqn-engine, else ~/.config/dqn-engine), which the OpenCL backend then uses."})
final class DevicesCommand implements Callable<Integer> {
    @Option(names = "--tune", description = "Time the gemm kernel's versions (2 and 3) and sizes on the Nature network's products on each device and cache the fastest.")
    boolean tune;

    @Option(names = "--rounds", description = "Timed rounds per tile size with --tune. Default: ${DEFAULT-VALUE}.", defaultValue = "3")
    int rounds;

    @Override
    public Integer call() throws java.io.IOException {
        if (rounds < 1) throw new dqnengine.util.BadInput("--rounds must be at least 1, got " + rounds);
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
        if (tune) {
            System.out.println("gemm tuning cache: " + GemmTuning.cacheFile());
            for (OpenCl.Platform p : platforms) for (OpenCl.Device d : p.devices()) GemmTuning.tune(d.index(), rounds, System.out);
        }
        return 0;
    }
}
