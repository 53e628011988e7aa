package dqnengine.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.Locale;

/**
 * Why a file operation failed, in a few words for an error line. Java's file exceptions often
 * carry only a path as their message ({@code AccessDeniedException: /x/y}); this names the cause.
 */
public final class IoReasons {
    private IoReasons() {}

    public static String of(IOException e) {
        String file = e instanceof FileSystemException f && f.getFile() != null ? f.getFile() : null;
        String where = file == null ? "" : " (" + file + ")";
        if (e instanceof AccessDeniedException) return "permission denied" + where;
        if (e instanceof NoSuchFileException) return "no such file or directory" + where;
        if (e instanceof NotDirectoryException) return "not a directory" + where;
        if (e instanceof DirectoryNotEmptyException) return "a directory that is not empty is in the way" + where;
        if (e instanceof FileAlreadyExistsException) return "something else is in the way" + where;
        if (e instanceof FileSystemException f && f.getReason() != null) return f.getReason().toLowerCase(Locale.ROOT) + where;
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
