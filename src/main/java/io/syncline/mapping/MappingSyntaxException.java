package io.syncline.mapping;

/** A mapping text that cannot be parsed; names the line so the pair file can be fixed. */
public class MappingSyntaxException extends IllegalArgumentException {

    private final int line;

    public MappingSyntaxException(int line, String text, String problem) {
        super((line > 0 ? "mapping line " + line + " '" + text + "': " : "mapping: ") + problem);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
