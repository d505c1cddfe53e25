package io.syncline.pair;

/** A pair file that cannot run; the message names the file, the pair, the field and the fix. */
public class PairConfigException extends RuntimeException {
    public PairConfigException(String message) {
        super(message);
    }
}
