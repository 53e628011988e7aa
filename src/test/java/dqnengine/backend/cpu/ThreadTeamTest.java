package dqnengine.backend.cpu;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadTeamTest {

    @Test
    void everyTaskRunsExactlyOncePerRoundWithAWorkerIndexInRange() {
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int round = 0; round < 2_000; round++) {
                int tasks = 1 + round % 17;
                AtomicIntegerArray runs = new AtomicIntegerArray(tasks);
                int[] badWorker = new int[1];
                team.run(tasks, (t, w) -> {
                    runs.incrementAndGet(t);
                    if (w < 0 || w >= 3) badWorker[0]++;
                });
                for (int t = 0; t < tasks; t++) assertEquals(1, runs.get(t), "round " + round + " task " + t);
                assertEquals(0, badWorker[0]);
            }
        }
    }

    @Test
    void aFailingTaskIsRethrownAndTheTeamStaysUsable() {
        try (ThreadTeam team = new ThreadTeam(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> team.run(8, (t, w) -> {
                if (t == 5) throw new IllegalStateException("task 5");
            }));
            assertEquals("task 5", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            team.run(8, (t, w) -> runs.incrementAndGet(t));
            for (int t = 0; t < 8; t++) assertEquals(1, runs.get(t));
        }
    }

    /**
     * With every core but one held by a spinning thread, a team of two must keep at least half the
     * speed of a team of one on short parallel loops (the shape of an MLP's train step). Before the
     * caller stopped waiting for workers that cannot run, it spun until the scheduler gave the
     * worker a time slice: CartPole ran 11× slower with one core busy.
     */
    @Test
    void aTeamOfTwoKeepsHalfTheSingleThreadSpeedWhenOnlyOneCoreIsFree() throws InterruptedException {
        int busy = Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        List<Thread> spinners = new ArrayList<>();
        final boolean[] stop = {false};
        for (int i = 0; i < busy; i++) {
            Thread s = new Thread(() -> {
                long x = 0;
                while (!stopRead(stop)) x += System.nanoTime() & 1;
                sink = x;
            }, "busy-core-" + i);
            s.setDaemon(true);
            s.start();
            spinners.add(s);
        }
        try (ThreadTeam one = new ThreadTeam(1); ThreadTeam two = new ThreadTeam(2)) {
            float[] data = new float[2 * 2_048];
            ThreadTeam.Job job = (t, w) -> {                   // ~ a few microseconds per task
                float acc = 0;
                for (int i = t * 2_048; i < (t + 1) * 2_048; i++) acc += data[i] * 1.0001f + 1;
                data[t * 2_048] = acc * 1e-9f;
            };
            int rounds = 2_000, blocks = 5;
            double[] single = new double[blocks], team = new double[blocks];
            for (int b = -1; b < blocks; b++) {              // b = -1: warm-up
                long t0 = System.nanoTime();
                for (int r = 0; r < rounds; r++) one.run(2, job);
                long t1 = System.nanoTime();
                for (int r = 0; r < rounds; r++) two.run(2, job);
                long t2 = System.nanoTime();
                if (b >= 0) {
                    single[b] = (t1 - t0) / 1e6;
                    team[b] = (t2 - t1) / 1e6;
                }
            }
            Arrays.sort(single);
            Arrays.sort(team);
            double s = single[blocks / 2], m = team[blocks / 2];
            System.out.printf("ThreadTeamTest: %d core(s) busy: team of 2 %.1f ms, team of 1 %.1f ms per %d rounds (medians)%n", busy, m, s, rounds);
            assertTrue(m <= 2 * s, String.format("with %d core(s) busy: a team of 2 took %.1f ms per %d rounds, a team of 1 %.1f ms (median of %d)",
                    busy, m, rounds, s, blocks));
        } finally {
            synchronized (stop) {
                stop[0] = true;
            }
            for (Thread s : spinners) s.join();
        }
    }

    static volatile long sink;

    private static boolean stopRead(boolean[] stop) {
        synchronized (stop) {
            return stop[0];
        }
    }
}
