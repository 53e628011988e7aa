package dqnengine.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RelaunchTest {
    @Test
    void theChildKeepsJvmOptionsAndArgumentsAndAddsTheVectorModule() {
        List<String> cmd = Relaunch.command("/usr/bin/java", List.of("-Xmx2g"), "app.jar", new String[] {"bench", "--threads", "2"});
        assertEquals(List.of("/usr/bin/java", "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-Ddqnengine.relaunched=true",
                "-cp", "app.jar", "dqnengine.cli.Main", "bench", "--threads", "2"), cmd);
        List<String> plain = Relaunch.command("/usr/bin/java", List.of(), "app.jar", new String[] {"train"});
        assertEquals(List.of("/usr/bin/java", "-XX:MaxRAMPercentage=75", "--add-modules", "jdk.incubator.vector", "-Ddqnengine.relaunched=true",
                "-cp", "app.jar", "dqnengine.cli.Main", "train"), plain, "no heap flag of the user's: three quarters of RAM");
    }
}
