package io.syncline.system;

/**
 * A system could not do what was asked: it cannot be reached, or it refused a statement as a whole.
 * What was not committed is rolled back; the caller tries again later.
 */
public class SystemException extends RuntimeException {

    public SystemException(String message, Throwable cause) {
        super(message, cause);
    }
}
