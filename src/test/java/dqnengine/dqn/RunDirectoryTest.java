package dqnengine.dqn;

import dqnengine.util.BadInput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class RunDirectoryTest {
    @TempDir Path tmp;

    @Test
    void aLockedRunDirectoryIsRefusedWithTheOwnersPidAndFreeAgainWhenReleased() throws Exception {
        Path run = tmp.resolve("run");
        try (RunDirectory owner = RunDirectory.lock(run)) {
            BadInput e = assertThrows(BadInput.class, () -> RunDirectory.lock(run));
            assertTrue(e.getMessage().contains("is in use by PID " + ProcessHandle.current().pid()), e.getMessage());
        }
        RunDirectory.lock(run).close();                          // released: free again
    }

    @Test
    void aLockHeldByAnotherProcessIsRefusedAndItsStaleLockIsTakenOverOnceItDies() throws Exception {
        Path run = tmp.resolve("run");
        Files.createDirectories(run);
        // Java's tryLock is an fcntl record lock, so the other holder is a second JVM that locks the directory and waits.
        Process holder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            String first = new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine();
            assertEquals("locked", first);
            BadInput e = assertThrows(BadInput.class, () -> RunDirectory.lock(run));
            assertTrue(e.getMessage().contains("is in use by PID " + holder.pid()), e.getMessage());
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.exists(run.resolve(RunDirectory.LOCK_FILE)), "the dead holder's lock file is still there");
        try (RunDirectory mine = RunDirectory.lock(run)) {                          // stale: taken over
            assertEquals(ProcessHandle.current().pid() + "", Files.readString(run.resolve(RunDirectory.LOCK_FILE)).trim());
        }
    }

    /** The lock holder for the test above, in its own JVM. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            RunDirectory d = RunDirectory.lock(Path.of(args[0]));
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(120_000);
            d.close();
        }
    }

    @Test
    void runsStartedInTheSameSecondGetOneDirectoryEach() throws Exception {
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RunDirectory>> made = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            made.add(pool.submit(() -> {
                go.await();
                return RunDirectory.createFresh(tmp.resolve("runs"), "cartpole-s1-20261129-120000");
            }));
        }
        go.countDown();
        Set<Path> dirs = new HashSet<>();
        for (Future<RunDirectory> f : made) {
            RunDirectory d = f.get(30, TimeUnit.SECONDS);
            dirs.add(d.path());
            d.close();
        }
        pool.shutdown();
        assertEquals(n, dirs.size(), dirs.toString());
        assertTrue(dirs.contains(tmp.resolve("runs/cartpole-s1-20261129-120000")));
        assertTrue(dirs.contains(tmp.resolve("runs/cartpole-s1-20261129-120000-" + n)));
    }

    @Test
    void aRunDirectoryThatIsAFileIsRefusedInOneLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("notadir"), "x");
        BadInput e = assertThrows(BadInput.class, () -> RunDirectory.lock(file));
        assertEquals("run directory " + file + " is a file, not a directory", e.getMessage());
    }

    @Test
    void staleTemporariesOfDeadWritersAreRemovedAndNothingElse() throws Exception {
        Path run = tmp.resolve("run");
        Path cps = Files.createDirectories(run.resolve("checkpoints"));
        Files.createDirectories(cps.resolve(".step-000000001000.k3j2.tmp")).resolve("online.safetensors");
        Files.writeString(cps.resolve(".step-000000001000.k3j2.tmp").resolve("online.safetensors"), "partial");
        Files.writeString(run.resolve(".config.json.abc.tmp"), "{");
        Files.createDirectories(run.resolve("plots"));
        Files.writeString(run.resolve("plots/.return.png.x1.tmp"), "");
        Files.createDirectories(cps.resolve("step-000000000500"));
        Files.writeString(cps.resolve("latest"), "step-000000000500\n");
        Files.writeString(run.resolve("episodes.csv"), "episode,step\n");
        try (RunDirectory d = RunDirectory.lock(run)) {
            assertEquals(3, d.removeStaleTemporaries());
        }
        try (var s = Files.walk(run)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
        assertTrue(Files.isDirectory(cps.resolve("step-000000000500")));
        assertTrue(Files.exists(cps.resolve("latest")) && Files.exists(run.resolve("episodes.csv")));
    }

    @Test
    void rollBackRemovesLogRowsAndSetsAsideCheckpointsWrittenAfterTheResumePoint() throws Exception {
        Path run = tmp.resolve("run");
        Path cps = Files.createDirectories(run.resolve("checkpoints"));
        Files.writeString(run.resolve("episodes.csv"), "episode,step,env,return\n1,300,0,10.0\n2,700,0,12.0\n3,1100,0,30.0\n4,1500,0,3");   // last row cut by a crash
        Files.writeString(run.resolve("progress.csv"), "step,updates,loss\n500,10,0.5\n1000,20,0.4\n1500,30,0.3\n");
        for (String c : new String[] {"step-000000001000", "step-000000002000", "best-step-000000000500", "best-step-000000001500"}) {
            Files.createDirectories(cps.resolve(c));
        }
        Files.writeString(cps.resolve("latest"), "step-000000001000\n");
        Files.writeString(cps.resolve("best"), "best-step-000000001500\n");
        RunDirectory.RollBack rb;
        try (RunDirectory d = RunDirectory.lock(run)) {
            rb = d.rollBackTo(1000, 2);
        }
        assertEquals("episode,step,env,return\n1,300,0,10.0\n2,700,0,12.0\n", Files.readString(run.resolve("episodes.csv")));
        assertEquals("step,updates,loss\n500,10,0.5\n1000,20,0.4\n", Files.readString(run.resolve("progress.csv")));
        assertEquals(2, rb.episodeRows());
        assertEquals(1, rb.progressRows());
        assertEquals(Set.of("step-000000002000", "best-step-000000001500"), new HashSet<>(rb.checkpointsSetAside()));
        assertTrue(Files.isDirectory(run.resolve("discarded/best-step-000000001500")), "set aside, not deleted");
        assertEquals("best-step-000000000500", Files.readString(cps.resolve("best")).trim(), "best names a checkpoint of the kept past");
        assertTrue(rb.bestRemains());
        assertEquals("step-000000001000", Files.readString(cps.resolve("latest")).trim());
    }

    @Test
    void rollBackWithNoEarlierBestRemovesTheBestPointer() throws Exception {
        Path run = tmp.resolve("run");
        Path cps = Files.createDirectories(run.resolve("checkpoints"));
        Files.createDirectories(cps.resolve("step-000000001000"));
        Files.createDirectories(cps.resolve("best-step-000000001200"));
        Files.writeString(cps.resolve("best"), "best-step-000000001200\n");
        try (RunDirectory d = RunDirectory.lock(run)) {
            assertFalse(d.rollBackTo(1000, 0).bestRemains());
        }
        assertFalse(Files.exists(cps.resolve("best")));
    }
}
