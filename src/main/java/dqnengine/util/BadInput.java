package dqnengine.util;

/**
 * A value the user gave (a flag, a config file, a path, a damaged file) that the engine cannot
 * use. The command line reports its message as one line and exits with code 2, as for a flag that
 * does not parse; every other failure while running exits with code 1.
 */
public final class BadInput extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public BadInput(String message) { super(message); }
}
