package dqnengine.cli;

import dqnengine.testing.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ReportCommandTest {
    @TempDir Path tmp;

    @Test
    void episodesAreAveragedByTheIterationTheyEndedIn() throws Exception {
        // iteration size 100: steps 1..100 are iteration 0, 101..200 iteration 1; step 100 belongs to 0, 101 to 1
        Files.writeString(tmp.resolve("episodes.csv"), String.join("\n",
                "episode,step,env,return,length,epsilon,wall_s",
                "1,40,0,-21.0,40,1.0,0.1",
                "2,100,0,-19.0,60,1.0,0.2",
                "3,101,0,-20.0,1,1.0,0.3",
                "4,350,0,-10.0,249,0.5,0.9",
                "5,360,0,-12"));                                              // cut short by a crash: skipped
        CliRun r = CliRun.of("report", "--run-dir", tmp.toString(), "--iteration-steps", "100");
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals("iteration,first_step,last_step,episodes,mean_return,std,min,max", lines[1]);
        assertEquals("0,1,100,2,-20.00,1.00,-21.0,-19.0", lines[2]);
        assertEquals("1,101,200,1,-20.00,0.00,-20.0,-20.0", lines[3]);
        assertEquals("3,301,400,1,-10.00,0.00,-10.0,-10.0", lines[4], "an iteration with no finished episode is left out");
        assertEquals("# iteration 3 is not complete: the run has reached step 350 of its 400", lines[5],
                "the newest row is marked while its iteration is still running");
        assertEquals(6, lines.length);

        Files.writeString(tmp.resolve("progress.csv"), "step,updates,episodes\n390,90,4\n400,100,4\n");
        CliRun whole = CliRun.of("report", "--run-dir", tmp.toString(), "--iteration-steps", "100");
        assertEquals(0, whole.code(), whole.err());
        assertEquals(5, whole.out().strip().split("\n").length, "progress.csv shows the run reached the iteration's last step: " + whole.out());
    }

    @Test
    void aDirectoryWithoutEpisodesIsRefusedInOneLine() {
        CliRun r = CliRun.of("report", "--run-dir", tmp.resolve("none").toString());
        assertEquals(2, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("has no episodes.csv"), r.err());
    }
}
