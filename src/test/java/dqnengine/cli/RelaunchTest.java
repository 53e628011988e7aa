package dqnengine.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RelaunchTest {
    @Test
    void theChildKeepsJvmOptionsAndArgumentsAndAddsTheVectorModule() {
        List<String> cmd = Relaunch.command("/usr/bin/java", List.of("-Xmx2g"), "app.jar", new String[] {"bench", "--threads", "2"}, true, 42);
        assertEquals(List.of("/usr/bin/java", "-Xmx2g", "--add-modules", "jdk.incubator.vector", "-Ddqnengine.relaunched=true",
                "-Ddqnengine.launcher.pid=42", "-cp", "app.jar", "dqnengine.cli.Main", "bench", "--threads", "2"), cmd);
        List<String> plain = Relaunch.command("/usr/bin/java", List.of(), "app.jar", new String[] {"train"}, true, 42);
        assertEquals(List.of("/usr/bin/java", "-XX:MaxRAMPercentage=75", "--add-modules", "jdk.incubator.vector", "-Ddqnengine.relaunched=true",
                "-Ddqnengine.launcher.pid=42", "-cp", "app.jar", "dqnengine.cli.Main", "train"), plain, "no heap flag of the user's: three quarters of RAM");
        List<String> signalsOnly = Relaunch.command("/usr/bin/java", List.of("--add-modules", "jdk.incubator.vector"), "app.jar", new String[] {"train"}, false, 7);
        assertEquals(List.of("/usr/bin/java", "--add-modules", "jdk.incubator.vector", "-XX:MaxRAMPercentage=75", "-Ddqnengine.relaunched=true",
                "-Ddqnengine.launcher.pid=7", "-cp", "app.jar", "dqnengine.cli.Main", "train"), signalsOnly,
                "a JVM that already has the module is restarted for libjsig alone: the module is not added twice");
    }
}
