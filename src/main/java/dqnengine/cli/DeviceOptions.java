package dqnengine.cli;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;
import picocli.CommandLine.Option;

/** The compute flags of the commands that run a network ({@code train}, {@code eval}, {@code bench loop}). */
final class DeviceOptions {
    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE", description = "Compute device: " + Backends.DEVICES + ". Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads. Default: all cores.")
    Integer threads;

    /** The backend these flags name. */
    Backend open() {
        return Backends.create(device, threads == null ? Backends.defaultThreads() : threads);
    }
}
