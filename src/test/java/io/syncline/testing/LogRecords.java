package io.syncline.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/** The messages one of the server's loggers writes while a test watches it (the server runs in the test's JVM). */
public final class LogRecords extends Handler implements AutoCloseable {

    private final Logger logger;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private LogRecords(Logger logger) {
        this.logger = logger;
    }

    /**
     * Starts collecting what the logger of {@code type} writes, until {@link #close()}. It writes one line of its own first,
     * and fails unless that line is collected: a test that expects no line of some kind cannot pass on a handler that sees
     * nothing.
     */
    public static LogRecords of(Class<?> type) {
        LogRecords records = new LogRecords(Logger.getLogger(type.getName()));
        records.logger.addHandler(records);
        records.logger.info(PROBE);
        if (!records.messages.remove(PROBE)) {
            records.close();
            throw new IllegalStateException("the log of " + type.getName() + " cannot be watched from this JVM");
        }
        return records;
    }

    private static final String PROBE = "a test watches this log";

    /** The messages written so far that contain {@code text}, formatted as the log shows them. */
    public List<String> containing(String text) {
        return messages.stream().filter(m -> m.contains(text)).toList();
    }

    @Override
    public void publish(LogRecord record) {
        messages.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
