package dqnengine.cli;

import dqnengine.util.BadInput;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code dqn-engine} command. Subcommands are registered here; every one uses the same flag
 * spellings (--env, --steps, --seed, --run-dir, --resume, --device, --threads, --config). Errors reach the user as one line on stderr and a non-zero
 * exit code: 2 for a bad command line, 1 for a failure while running.
 */
@Command(name = "dqn-engine",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "A from-scratch Deep Q-Network engine in pure Java.",
        subcommands = {TrainCommand.class, EvalCommand.class, TabularCommand.class, DevicesCommand.class, BenchCommand.class, PlayCommand.class, RomsCommand.class, ReportCommand.class, ClusterCommand.class, SweepCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        // No subcommand: show what there is to do.
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        Relaunch.watchLauncher();
        if (Relaunch.wanted()) {
            int code = Relaunch.run(args);
            if (code >= 0) System.exit(code);
            // The child JVM could not be started: carry on here with the plain-Java kernel.
        }
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (separate from main so tests can call it). */
    public static int execute(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("dqn-engine: " + ex.getMessage()
                    + " (see 'dqn-engine " + commandPath(ex.getCommandLine()) + "--help')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            commandLine.getErr().println("dqn-engine: error: " + message);
            if (System.getenv("DQN_ENGINE_DEBUG") != null) ex.printStackTrace(commandLine.getErr());
            return ex instanceof BadInput ? 2 : 1;
        });
        return cl.execute(args);
    }

    private static String commandPath(CommandLine cl) {
        StringBuilder path = new StringBuilder();
        for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) path.insert(0, c.getCommandName() + " ");
        return path.toString();
    }

    /** Reads the version from the jar manifest (written by the build). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dqn-engine " + (v == null ? "(development build)" : v),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
