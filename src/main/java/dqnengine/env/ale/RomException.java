package dqnengine.env.ale;

/** A ROM that is missing, unreadable or not a game we know, with a message for the user. */
public final class RomException extends RuntimeException {
    public RomException(String message) { super(message); }
}
