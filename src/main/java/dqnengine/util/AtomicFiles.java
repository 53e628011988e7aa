package dqnengine.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.stream.Stream;

/** Small files written whole or not at all: temp file, fsync, rename, fsync of the directory. */
public final class AtomicFiles {
    private AtomicFiles() {}

    private static final SecureRandom NAMES = new SecureRandom();

    /**
     * A new empty hidden file in {@code dir}, created with the process's default permissions (the
     * umask applies, as for any file the user creates), unlike {@code Files.createTempFile}, whose
     * files are private (0600) and would stay so after the rename.
     */
    public static Path newTempFile(Path dir, String prefix) throws IOException {
        return newUnique(dir, prefix, Files::createFile);
    }

    /** A new empty hidden directory in {@code dir}, with default permissions (see {@link #newTempFile}). */
    public static Path newTempDirectory(Path dir, String prefix) throws IOException {
        return newUnique(dir, prefix, Files::createDirectory);
    }

    private interface Create {
        Path create(Path p, FileAttribute<?>... attributes) throws IOException;
    }

    private static Path newUnique(Path dir, String prefix, Create create) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return create.create(dir.resolve(prefix + Long.toUnsignedString(NAMES.nextLong(), 36) + ".tmp"));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 100) throw e;
            }
        }
    }

    public static void writeString(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = newTempFile(dir, "." + file.getFileName() + ".");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) ch.write(b);
                ch.force(true);
            }
            move(tmp, file);
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames atomically where the file system can (a directory rename is atomic on POSIX). */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Makes renames in {@code dir} durable (POSIX: fsync the directory). Best effort elsewhere. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some platforms cannot open a directory; the data itself was already forced.
        }
    }

    /** Deletes {@code p} and everything under it (nothing if it does not exist). */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
