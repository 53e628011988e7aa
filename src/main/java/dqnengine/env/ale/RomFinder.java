package dqnengine.env.ale;

import dqnengine.util.BadInput;
import dqnengine.util.IoReasons;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Finds a game's ROM and proves what it is. ROMs are not shipped with the engine.
 *
 * <p>Search order for a game id (first hit wins):
 * <ol>
 *   <li>an explicit ROM file ({@code --rom PATH}): identified by MD5, must be the requested game;</li>
 *   <li>a ROM directory ({@code --rom-dir DIR});</li>
 *   <li>the environment variable {@code ALE_ROMS_DIR} (the name ale-py uses), then {@code DQN_ENGINE_ROMS};</li>
 *   <li>the user directory {@code ~/.dqn-engine/roms} (where {@code roms import} copies to);</li>
 *   <li>an installed ale-py's bundled {@code ale_py/roms} folder, looked for in the usual Python
 *       site-packages locations and the active virtualenv.</li>
 * </ol>
 * Inside a directory every regular file is identified by content (MD5), so file names do not
 * matter. Nothing is handed to ALE unless its MD5 is in {@link KnownRoms}.
 */
public final class RomFinder {
    private final Path explicitRom;
    private final Path romDir;
    private final Map<String, String> env;
    private final Path home;

    /** A ROM file whose content was identified. */
    public record FoundRom(KnownRoms.Game game, Path path) {}

    public RomFinder(Path explicitRom, Path romDir) {
        this(explicitRom, romDir, System.getenv(), Paths.get(System.getProperty("user.home")));
    }

    RomFinder(Path explicitRom, Path romDir, Map<String, String> env, Path home) {
        this.explicitRom = explicitRom;
        this.romDir = romDir;
        this.env = env;
        this.home = home;
    }

    /** The default user ROM directory, {@code ~/.dqn-engine/roms}. */
    public static Path userRomDir(Path home) { return home.resolve(".dqn-engine").resolve("roms"); }

    /** The directories searched, in order, with where each came from. */
    public List<Map.Entry<String, Path>> searchPath() {
        List<Map.Entry<String, Path>> dirs = new ArrayList<>();
        if (romDir != null) dirs.add(Map.entry("--rom-dir", romDir));
        for (String var : new String[] {"ALE_ROMS_DIR", "DQN_ENGINE_ROMS"}) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) dirs.add(Map.entry("$" + var, Paths.get(v)));
        }
        dirs.add(Map.entry("user directory", userRomDir(home)));
        for (Path p : alePyRomDirs()) dirs.add(Map.entry("ale-py", p));
        return dirs;
    }

    private List<Path> alePyRomDirs() {
        List<Path> roots = new ArrayList<>();
        String venv = env.get("VIRTUAL_ENV");
        if (venv != null) roots.add(Paths.get(venv, "lib"));
        roots.add(home.resolve(".local/lib"));
        roots.add(Paths.get("/usr/local/lib"));
        roots.add(Paths.get("/usr/lib"));
        List<Path> found = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) continue;
            try (DirectoryStream<Path> pythons = Files.newDirectoryStream(root, "python3*")) {
                for (Path py : pythons) {
                    for (String site : new String[] {"site-packages", "dist-packages"}) {
                        Path roms = py.resolve(site).resolve("ale_py").resolve("roms");
                        if (Files.isDirectory(roms)) found.add(roms);
                    }
                }
            } catch (IOException ignored) {
                // an unreadable directory is simply not searched
            }
        }
        return found;
    }

    /** Finds the ROM for {@code gameId}, or throws a {@link RomException} saying what was searched. */
    public FoundRom find(String gameId) {
        KnownRoms.Game wanted = KnownRoms.byId(gameId);
        if (wanted == null) {
            throw new BadInput("unknown game '" + gameId + "'; known games: " + String.join(", ", KnownRoms.all().keySet()));
        }
        if (explicitRom != null) {
            FoundRom rom = identify(explicitRom);
            if (!rom.game().id().equals(gameId)) {
                throw new RomException("--rom " + explicitRom + " is " + rom.game().id() + " (" + rom.game().title() + "), not " + gameId);
            }
            return rom;
        }
        List<String> searched = new ArrayList<>();
        for (Map.Entry<String, Path> dir : searchPath()) {
            searched.add(dir.getValue() + " (" + dir.getKey() + ")");
            for (FoundRom rom : scan(dir.getValue())) {
                if (rom.game().id().equals(gameId)) return rom;
            }
        }
        throw new RomException("no ROM for '" + gameId + "' (" + wanted.title() + ", MD5 " + wanted.md5() + ") found in: "
                + String.join(", ", searched) + ". Give one with --rom FILE, or put it in a directory named by --rom-dir or $ALE_ROMS_DIR, "
                + "or run 'dqn-engine roms import DIR'");
    }

    /** Every known ROM in a directory (files that are not known ROMs are skipped). */
    public static List<FoundRom> scan(Path dir) {
        return scan(dir, why -> { });
    }

    /**
     * Every known ROM in a directory. Files that are not known ROMs are skipped quietly;
     * subdirectories are not searched; an entry that cannot be read (no permission, a broken link,
     * a device or pipe) is skipped and told to {@code skipped} as "FILE: cannot read it (why)".
     */
    public static List<FoundRom> scan(Path dir, Consumer<String> skipped) {
        List<FoundRom> roms = new ArrayList<>();
        if (!Files.isDirectory(dir)) return roms;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                if (Files.isDirectory(f)) continue;
                if (!Files.exists(f)) {
                    skipped.accept(f + ": cannot read it (a broken link)");
                    continue;
                }
                if (!Files.isRegularFile(f)) {
                    skipped.accept(f + ": cannot read it (not a regular file)");
                    continue;
                }
                try {
                    long size = Files.size(f);
                    if (size < 1024 || size > 65536) continue;        // Atari 2600 cartridges are 2-64 KiB
                    KnownRoms.Game g = KnownRoms.byMd5(md5(f));
                    if (g != null) roms.add(new FoundRom(g, f));
                } catch (AccessDeniedException e) {
                    skipped.accept(f + ": cannot read it (permission denied)");
                } catch (IOException e) {
                    skipped.accept(f + ": cannot read it (" + IoReasons.of(e) + ")");
                }
            }
        } catch (IOException ignored) {
            // unreadable directory: nothing found there
        }
        return roms;
    }

    /** Identifies one file by content, or throws a {@link RomException} that says what it found. */
    public static FoundRom identify(Path file) {
        if (!Files.exists(file)) throw new RomException("ROM file " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new RomException("ROM path " + file + " is not a regular file");
        String md5;
        long size;
        try {
            size = Files.size(file);
            md5 = md5(file);
        } catch (IOException e) {
            throw new RomException("ROM file " + file + " cannot be read: " + e.getMessage());
        }
        KnownRoms.Game g = KnownRoms.byMd5(md5);
        if (g == null) {
            StringBuilder sameSize = new StringBuilder();
            for (KnownRoms.Game k : KnownRoms.all().values()) if (k.bytes() == size) sameSize.append(sameSize.length() == 0 ? "" : ", ").append(k.id());
            throw new RomException("ROM file " + file + " (" + size + " bytes, MD5 " + md5 + ") is not a known Atari game"
                    + (size < 2048 ? " (too short for an Atari cartridge: truncated?)" : "")
                    + "; expected the MD5 of one of: " + String.join(", ", KnownRoms.all().keySet())
                    + (sameSize.length() > 0 ? " (same size as " + sameSize + ": corrupt or another dump?)" : ""));
        }
        return new FoundRom(g, file);
    }

    static String md5(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java runtime", e);
        }
    }

    /** Every ROM found on the search path, first location per game (for {@code roms list}). */
    public Map<String, FoundRom> listAll() {
        Map<String, FoundRom> found = new LinkedHashMap<>();
        for (Map.Entry<String, Path> dir : searchPath()) {
            for (FoundRom rom : scan(dir.getValue())) found.putIfAbsent(rom.game().id(), rom);
        }
        return found;
    }
}
