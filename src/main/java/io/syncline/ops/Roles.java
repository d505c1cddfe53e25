package io.syncline.ops;

/**
 * Who may do what through the ops API: a viewer reads status, dead letters, conflicts and the dry
 * run; an operator also acts (resync, pause, resume, reconcile, resolve, confirm deletes). Users and
 * their roles come from configuration ({@code quarkus.security.users.embedded.*}).
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";

    private Roles() {
    }
}
