package io.syncline.value;

/** One record cannot be mapped; it becomes a dead letter with this message as its reason. */
public class RecordException extends RuntimeException {
    public RecordException(String message) {
        super(message);
    }
}
