package io.syncline.system;

import java.util.List;
import java.util.Optional;

/**
 * One system Syncline syncs, named in configuration: a database ({@link JdbcSystem}) or an HTTP API
 * ({@link io.syncline.system.http.HttpSystem}). It describes its entities and makes the
 * {@link Entity} through which the engine reads and writes one of them.
 */
public interface ExternalSystem extends AutoCloseable {

    String name();

    /** Where it is, for messages (always shown through {@code Redaction}). */
    String url();

    /** What it is, for messages: "table" or "collection". */
    String entityKind();

    /**
     * The entity's real name and fields (a table's columns, an API collection's declared fields), looked up
     * case-insensitively; empty if it does not exist.
     *
     * @throws SystemException when the system cannot be reached or read
     */
    Optional<Table> table(String entity);

    /**
     * Whether writes commit together at the end of a unit of work and can be rolled back before (a database).
     * A system that is not (an API) creates records at once and sends its other writes, each conditional, when the
     * unit commits; a two-way pair with such a side needs a natural key ({@code match}) to find a record created
     * there whose link was not stored.
     */
    boolean transactional();

    /**
     * Whether Syncline can set a change marker of this system on every write ({@code targetStamp}, {@code aStamp}):
     * a database can; an API sets its own.
     */
    boolean stamps();

    /** Whether a stamp of this system may be a version that an upsert increments, rather than a time. */
    boolean stampsVersions();

    /**
     * The entity through which the engine reads and writes {@code table}.
     *
     * @param key       the id field
     * @param marker    the change marker (a side that is read), else null
     * @param columns   the fields read, lower case
     * @param written   the fields written, in the order of {@link Entity.Write#values}
     * @param stamp     the change marker Syncline sets on every write, else null
     * @param upsertKey the field a one-way target's records are upserted by, else null
     * @param givesIds  Syncline gives the records it creates their ids (random UUIDs) rather than the system
     */
    Entity entity(String reference, Table table, Table.Column key, Table.Column marker, List<String> columns,
            List<Table.Column> written, Table.Column stamp, String upsertKey, boolean givesIds);

    @Override
    void close();
}
