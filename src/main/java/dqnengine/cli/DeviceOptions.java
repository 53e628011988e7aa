package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import picocli.CommandLine.Option;

/** The compute flags of the commands that run a network ({@code train}, {@code eval}, {@code bench loop}). */
final class DeviceOptions {
    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE", description = "Compute device: " + Backends.DEVICES + ". Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (at most the cores). Default: the Nature network "
            + "gets the cores that are free, smaller networks one.")
    Integer threads;

    /** The backend these flags name, for {@code network} (nature, minatar, mlp; null when not known yet: the free cores). */
    Backend open(String network) {
        return Backends.create(device, threads != null ? threads : network == null ? Backends.freeCores() : Backends.defaultThreads(network));
    }
}
