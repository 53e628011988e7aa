package dqnengine.cli;

import dqnengine.env.ale.KnownRoms;
import dqnengine.env.ale.RomException;
import dqnengine.env.ale.RomFinder;
import dqnengine.util.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code roms}: which Atari games are available and from where; {@code roms import DIR}. */
@Command(name = "roms", mixinStandardHelpOptions = true,
        description = {"List the Atari games whose ROMs are found, and where (ROMs are not shipped).",
                "Search order: --rom-dir, $ALE_ROMS_DIR, $DQN_ENGINE_ROMS, ~/.dqn-engine/roms, an installed ale-py."},
        subcommands = RomsCommand.Import.class)
public final class RomsCommand implements Callable<Integer> {
    @Option(names = "--rom-dir", paramLabel = "DIR", description = "Also search this directory, first.")
    Path romDir;

    @Override
    public Integer call() {
        RomFinder finder = new RomFinder(null, romDir);
        Map<String, RomFinder.FoundRom> found = finder.listAll();
        System.out.println("# searched, in order:");
        for (Map.Entry<String, Path> dir : finder.searchPath()) {
            System.out.println("#   " + dir.getValue() + " (" + dir.getKey() + ")" + (Files.isDirectory(dir.getValue()) ? "" : "  [missing]"));
        }
        for (KnownRoms.Game g : KnownRoms.all().values()) {
            RomFinder.FoundRom rom = found.get(g.id());
            System.out.printf("%-16s %s%n", g.id(), rom == null ? "not found" : rom.path());
        }
        System.out.println(found.size() + " of " + KnownRoms.all().size() + " known games found");
        if (found.isEmpty()) {
            System.out.println("ROMs are not shipped: 'dqn-engine roms import DIR' copies yours into "
                    + RomFinder.userRomDir(Paths.get(System.getProperty("user.home"))) + ", or set $ALE_ROMS_DIR");
        }
        return 0;
    }

    /** {@code roms import DIR}: copies every known ROM in DIR under its canonical name. */
    @Command(name = "import", mixinStandardHelpOptions = true,
            description = "Verify the ROMs in DIR by MD5 and copy the known ones to ~/.dqn-engine/roms as <game>.bin.")
    static final class Import implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "Directory holding ROM files (any names).")
        Path source;

        @Option(names = "--to", paramLabel = "DIR", description = "Destination. Default: ~/.dqn-engine/roms.")
        Path destination;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(source)) throw new RomException("roms import: " + source + " is not a directory");
            Path to = destination != null ? destination : RomFinder.userRomDir(Paths.get(System.getProperty("user.home")));
            List<RomFinder.FoundRom> roms = RomFinder.scan(source, why -> System.err.println("dqn-engine: roms import: skipped " + why));
            if (roms.isEmpty()) throw new RomException("roms import: no known Atari ROM in " + source + " (files are matched by MD5)");
            Files.createDirectories(to);
            Map<String, RomFinder.FoundRom> imported = new LinkedHashMap<>();
            for (RomFinder.FoundRom rom : roms) {
                RomFinder.FoundRom first = imported.get(rom.game().id());
                if (first != null) {
                    System.out.printf("%-16s skipped %s: another copy of %s (%s is imported)%n",
                            rom.game().id(), rom.path(), rom.game().id(), first.path().getFileName());
                    continue;
                }
                Path target = to.resolve(rom.game().canonicalFileName());
                Path tmp = AtomicFiles.newTempFile(to, ".import-");
                Files.copy(rom.path(), tmp, StandardCopyOption.REPLACE_EXISTING);
                RomFinder.identify(tmp);                              // the copy is what we think it is
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                imported.put(rom.game().id(), rom);
                System.out.printf("%-16s %s -> %s%n", rom.game().id(), rom.path(), target);
            }
            System.out.println(imported.size() + " game(s) imported into " + to
                    + (roms.size() > imported.size() ? " (" + (roms.size() - imported.size()) + " duplicate file(s) skipped)" : ""));
            return 0;
        }
    }
}
