package dqnengine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one parallel loop at a time: the calling thread plus
 * {@code size − 1} daemon workers. Tasks 0 … n−1 are handed out one at a time from a shared
 * counter, so uneven tasks balance themselves.
 *
 * <p>Nothing is allocated per {@link #run}: the job is a pre-built object whose fields the caller
 * sets before each call. Workers spin briefly after a job (the next one usually follows within
 * microseconds in a training step), then park.
 *
 * <p>One caller at a time: a team belongs to one backend, and a backend to one thread.
 */
public final class ThreadTeam implements AutoCloseable {

    /** A parallel loop body: {@code run(task, worker)} with worker ∈ [0, size). */
    public interface Job {
        void run(int task, int worker);
    }

    private final int size;
    private final Thread[] workers;
    private final AtomicInteger nextTask = new AtomicInteger();
    private final AtomicInteger finishedWorkers = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile Job job;
    private volatile int taskCount;
    private volatile Throwable failure;

    public ThreadTeam(int size) {
        if (size < 1) throw new IllegalArgumentException("thread count must be at least 1, got " + size);
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int w = 1; w < size; w++) {
            final int id = w;
            Thread t = new Thread(() -> workerLoop(id), "dqn-cpu-" + w);
            t.setDaemon(true);
            workers[w - 1] = t;
            t.start();
        }
    }

    public int size() { return size; }

    /** Runs {@code job} for tasks 0 … tasks−1 on every team thread and returns when all are done. */
    public void run(int tasks, Job job) {
        if (tasks <= 0) return;
        if (size == 1 || tasks == 1) {
            for (int t = 0; t < tasks; t++) job.run(t, 0);
            return;
        }
        this.job = job;
        this.taskCount = tasks;
        this.failure = null;
        nextTask.set(0);
        finishedWorkers.set(0);
        generation++;                                   // publishes the fields above
        for (Thread t : workers) LockSupport.unpark(t);
        work(0);
        while (finishedWorkers.get() < size - 1) Thread.onSpinWait();
        this.job = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    private void work(int worker) {
        Job j = job;
        int n = taskCount;
        try {
            for (int t = nextTask.getAndIncrement(); t < n; t = nextTask.getAndIncrement()) j.run(t, worker);
        } catch (Throwable e) {
            failure = e;
            nextTask.set(n);                            // stop handing out tasks
        }
    }

    private void workerLoop(int id) {
        int seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 20_000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000L);
            }
            if (closed) return;
            seen = generation;
            work(id);
            finishedWorkers.incrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}
