package dqnengine.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every flag of every command says what it does, and a flag with a fixed default shows it. */
class HelpTextTest {
    @Test
    void everyOptionOfEveryCommandHasADescriptionAndShowsItsDefault() {
        List<String> missing = new ArrayList<>();
        walk(new CommandLine(new Main()), missing);
        assertEquals(List.of(), missing);
    }

    private static void walk(CommandLine cl, List<String> missing) {
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            String where = cl.getCommandSpec().qualifiedName() + " " + o.longestName();
            String d = String.join(" ", o.description());
            if (d.isBlank()) missing.add(where + ": no description");
            else if (o.defaultValue() != null && !d.contains("${DEFAULT-VALUE}") && !d.contains("Default")) missing.add(where + ": its default is not shown");
        }
        for (CommandLine sub : cl.getSubcommands().values()) walk(sub, missing);
    }
}
