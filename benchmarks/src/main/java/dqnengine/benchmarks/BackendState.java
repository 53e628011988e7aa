package dqnengine.benchmarks;

import dqnengine.backend.Backend;
import dqnengine.backend.Backends;

/** Opens the backend a benchmark's {@code backend} parameter names, on 2 threads (the peers' setting). */
final class BackendState {
    private BackendState() {}

    static final int THREADS = Integer.getInteger("dqn.threads", 2);

    static Backend open(String name) {
        return Backends.create(name, THREADS);
    }
}
