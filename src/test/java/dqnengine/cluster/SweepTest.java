package dqnengine.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The grid file, the board's claims and the summary table, without training anything. */
class SweepTest {
    @TempDir Path tmp;

    private Path grid(String json) throws Exception {
        Path f = tmp.resolve("grid-" + System.nanoTime() + ".json");
        Files.writeString(f, json);
        return f;
    }

    @Test
    void aGridIsEveryCombinationInOrder() throws Exception {
        Sweep.Grid g = Sweep.readGrid(grid("{\"envs\": [\"ale:pong\", \"ale:breakout\"], \"presets\": [\"rainbow-lite\", \"dopamine-dqn\"], \"seeds\": [0, 1, 2],"
                + " \"flags\": [\"--steps\", \"1000\"]}"));
        assertEquals(12, g.cells().size());
        assertEquals(250_000, g.iterationSteps(), "Atari: Dopamine's iteration");
        assertEquals("ale-pong/rainbow-lite/s0", g.cells().get(0).id());
        assertEquals("ale-breakout/dopamine-dqn/s2", g.cells().get(11).id());
        assertEquals(List.of("train", "--env", "ale:pong", "--preset", "rainbow-lite", "--seed", "0", "--run-dir", tmp.resolve("r/ale-pong/rainbow-lite/s0").toString(),
                "--steps", "1000"), g.cells().get(0).trainArgs(tmp.resolve("r")));
        Sweep.Grid small = Sweep.readGrid(grid("{\"envs\": [\"cartpole\"], \"seeds\": [3], \"flags\": [\"--steps\", \"5000\"]}"));
        assertEquals("cartpole/cartpole/s3", small.cells().get(0).id(), "no presets: the env's usual one");
        assertEquals(500, small.iterationSteps(), "a tenth of --steps when not Atari");
    }

    @Test
    void aBadGridIsOneLine() throws Exception {
        String[][] cases = {
                {"{\"envs\": [\"cartpole\"], \"seed\": [0]}", "unknown field \"seed\""},
                {"{\"seeds\": [0]}", "\"envs\" is missing"},
                {"{\"envs\": [\"cartpole\"], \"seeds\": []}", "\"seeds\" must be a non-empty list"},
                {"{\"envs\": [\"cartpole\"], \"seeds\": [1, 1]}", "repeats a seed"},
                {"{\"envs\": [\"cartpole\"], \"seeds\": [0], \"flags\": [\"--seed\", \"4\"]}", "may not set --seed"},
                {"[1, 2]", "not a JSON object"},
                {"{\"envs\": ", "not valid JSON"},
        };
        for (String[] c : cases) {
            Path f = grid(c[0]);
            var e = assertThrows(IllegalArgumentException.class, () -> Sweep.readGrid(f), c[0]);
            assertTrue(e.getMessage().startsWith("--grid " + f + ": ") && e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void workersNeverTakeTheSameCellAndTakeOverAnOrphan() throws Exception {
        List<Sweep.Cell> cells = new ArrayList<>();
        for (long s = 0; s < 20; s++) cells.add(new Sweep.Cell("cartpole", "cartpole", s, List.of()));
        Sweep.Board board = Sweep.localBoard();
        Sweep.post(board, cells);
        board.states().put(cells.get(5).id(), "running dead-worker");    // its worker died: no lease
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        List<String> resumed = Collections.synchronizedList(new ArrayList<>());
        Sweep.Runner runner = (cell, root, resume, worker) -> {
            ran.add(cell.id());
            if (resume) resumed.add(cell.id());
            Thread.sleep(2);
            return cell.seed() == 7 ? 3 : 0;
        };
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Thread[] workers = new Thread[4];
        for (int w = 0; w < 4; w++) {
            String name = "w" + w;
            workers[w] = new Thread(() -> {
                try {
                    Sweep.work(board, cells, tmp, runner, name, quiet, () -> false);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            workers[w].start();
        }
        for (Thread t : workers) t.join(30_000);
        assertEquals(20, ran.size(), "every cell ran once: " + ran);
        assertEquals(20, ran.stream().distinct().count(), "no cell ran twice: " + ran);
        assertEquals(List.of(), resumed, "the orphan had no checkpoint: it started afresh");
        assertTrue(Sweep.allSettled(board, cells));
        assertTrue(board.states().get(cells.get(7).id()).startsWith("failed: exit 3"), board.states().get(cells.get(7).id()));
        assertEquals("done", board.states().get(cells.get(5).id()));
    }

    @Test
    void theSummaryIsMeanAndSampleStdAcrossSeedsPerIteration() throws Exception {
        List<Sweep.Cell> cells = List.of(new Sweep.Cell("ale:pong", "p", 0, List.of()), new Sweep.Cell("ale:pong", "p", 1, List.of()),
                new Sweep.Cell("ale:pong", "p", 2, List.of()));
        Map<String, Map<Long, Double>> returns = Map.of("s0", Map.of(0L, -21.0, 1L, -10.0), "s1", Map.of(0L, -19.0, 1L, -14.0), "s2", Map.of(0L, -20.0));
        for (Sweep.Cell c : cells) {
            Files.createDirectories(c.dir(tmp));
            Files.writeString(c.dir(tmp).resolve("episodes.csv"), "x\n");
        }
        String md = Sweep.summarize(cells, tmp, 250_000, dir -> returns.get(dir.getFileName().toString()));
        assertTrue(md.contains("| ale:pong | p | -20.0 ± 1.0 (3) | -12.0 ± 2.8 (2) |"), md);
        assertEquals(List.of("env,preset,iteration,seeds,mean,std", "ale:pong,p,0,3,-20.00,1.00", "ale:pong,p,1,2,-12.00,2.83"),
                Files.readAllLines(tmp.resolve("summary.csv")));
    }
}
