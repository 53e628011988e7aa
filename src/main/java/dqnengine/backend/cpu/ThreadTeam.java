package dqnengine.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs one parallel loop at a time: the calling thread plus
 * {@code size − 1} daemon workers. Tasks 0 … n−1 are handed out one at a time from a shared
 * ticket, so uneven tasks balance themselves.
 *
 * <p>Nothing is allocated per {@link #run}: the job is a pre-built object whose fields the caller
 * sets before each call.
 *
 * <p>Waiting, and a busy machine. The caller waits for the <em>tasks</em>, not for the workers: a
 * worker that has not woken up by the time the caller (or another worker) has done every task
 * has nothing to do, and nobody waits for it. So when another process holds a core, the caller
 * simply does the work itself at single-thread speed instead of waiting a scheduler time slice for
 * a worker that cannot run (measured before this design: CartPole 11× slower with one core busy).
 * Every wait spins for {@link #HOT_SPIN_NANOS} (in a training step the next loop usually comes
 * within microseconds), then yields its core between checks so that a thread it shares the core
 * with can run, and parks after {@link #SPIN_NANOS} until it is woken; no thread spins without
 * bound.
 *
 * <p>The ticket is one 64-bit word: the round number in the high half, the next task in the low
 * half. A thread claims a task by compare-and-set on the whole word, so a worker that wakes late,
 * holding an old round number, can never claim a task of a newer round. Before writing the next
 * round's job the caller closes the old round (next task = {@code CLOSED}), so a task claimed in a
 * round always runs that round's job.
 *
 * <p>One caller at a time: a team belongs to one backend, and a backend is driven by one thread
 * at a time.
 */
public final class ThreadTeam implements AutoCloseable {

    /** A parallel loop body: {@code run(task, worker)} with worker ∈ [0, size). */
    public interface Job {
        void run(int task, int worker);
    }

    /**
     * Spare elements at the end of each worker's small work arrays (row bases, a tile's accumulators),
     * allocated one after the other: 16 ints or floats, a cache line, so that no two workers' arrays
     * share one and their writes do not take the line from each other.
     */
    static final int PAD = 16;

    /** How long a waiting thread spins before it also yields its core: a few loop hand-overs' worth. */
    static final long HOT_SPIN_NANOS = 10_000;
    /** How long it waits in all before it parks: still far below a scheduler time slice. */
    static final long SPIN_NANOS = 50_000;

    /**
     * Called every 64 spins of a wait that started at {@code spinStart}: past {@link #HOT_SPIN_NANOS}
     * it yields the core (a thread that shares it, such as the one being waited for, can run);
     * returns true once the wait has lasted {@link #SPIN_NANOS} and should park.
     */
    private static boolean pause(long spinStart) {
        long waited = System.nanoTime() - spinStart;
        if (waited < HOT_SPIN_NANOS) return false;
        if (waited < SPIN_NANOS) {
            Thread.yield();
            return false;
        }
        return true;
    }
    private static final int CLOSED = Integer.MAX_VALUE;

    private final int size;
    private final Thread[] workers;
    private final AtomicLong ticket = new AtomicLong();          // round << 32 | next task
    private final AtomicInteger doneTasks = new AtomicInteger();
    private volatile boolean closed;
    private volatile Job job;
    private volatile int taskCount;
    private volatile Throwable failure;
    private volatile Thread caller;

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

    /** Runs {@code job} for tasks 0 … tasks−1 on the team and returns when every task is done. */
    public void run(int tasks, Job job) {
        if (tasks <= 0) return;
        if (size == 1 || tasks == 1) {
            for (int t = 0; t < tasks; t++) job.run(t, 0);
            return;
        }
        long round = (ticket.get() >>> 32) + 1;
        ticket.set(((round - 1) << 32) | CLOSED);      // no late claim on the last round from here on
        this.job = job;
        this.taskCount = tasks;
        this.failure = null;
        this.caller = Thread.currentThread();
        doneTasks.set(0);
        ticket.set(round << 32);                        // opens the round; publishes the fields above
        for (Thread t : workers) LockSupport.unpark(t);
        work(round, 0);
        long spinStart = System.nanoTime();
        for (int spins = 0; doneTasks.get() < tasks; spins++) {
            if (spins < 64 || (spins & 63) != 0) Thread.onSpinWait();
            else if (pause(spinStart)) LockSupport.park(this);      // whoever finishes the last task unparks us
        }
        this.job = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    /** Claims and runs tasks of {@code round} until there are none left (or the round is over). */
    private void work(long round, int worker) {
        Job j = job;
        int n = taskCount;
        while (true) {
            long v = ticket.get();
            int t = (int) v;
            if ((v >>> 32) != round || t >= n) return;
            if (!ticket.compareAndSet(v, v + 1)) continue;
            try {
                if (failure == null) j.run(t, worker);   // after a failure the remaining tasks are only counted
            } catch (Throwable e) {
                failure = e;
            }
            if (doneTasks.incrementAndGet() == n) {
                Thread c = caller;
                if (c != Thread.currentThread()) LockSupport.unpark(c);
            }
        }
    }

    private void workerLoop(int id) {
        long seen = 0;
        while (!closed) {
            long spinStart = System.nanoTime();
            long v;
            for (int spins = 0; ((v = ticket.get()) >>> 32) == seen && !closed; spins++) {
                if (spins < 64 || (spins & 63) != 0) Thread.onSpinWait();
                else if (pause(spinStart)) LockSupport.park(this);  // run() and close() unpark every worker
            }
            if (closed) return;
            seen = v >>> 32;
            work(seen, id);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) LockSupport.unpark(t);
    }
}
