package io.syncline.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.syncline.pair.Role;
import io.syncline.state.Links.Link;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link LinkHashes} answers: the hashes a look-up read, never one that a commit since may have moved. */
class LinkHashesTest {

    private static Link link(String aId, String bId, String aHash, String bHash) {
        return new Link(aId, bId, null, aHash, bHash);
    }

    private static Map<String, String> known(LinkHashes remembered, Role side, String... ids) {
        return remembered.known("p", side, List.of(ids), new ArrayList<>());
    }

    @Test
    void aLinkReadIsKnownByEitherSidesIdUntilItIsDropped() {
        LinkHashes remembered = new LinkHashes();
        List<String> unknown = new ArrayList<>();
        assertEquals(Map.of(), remembered.known("p", Role.A, List.of("1"), unknown));
        assertEquals(List.of("1"), unknown);
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "a-hash", "b-hash"), link("2", "b2", "-", null)));
        assertEquals(Map.of("1", "a-hash", "2", "-"), known(remembered, Role.A, "1", "2"));
        assertEquals(Map.of("b1", "b-hash"), known(remembered, Role.B, "b1", "b2"), "a side without a hash is left out, as the store leaves it out");
        assertEquals(Map.of(), remembered.known("other", Role.A, List.of("1"), new ArrayList<>()), "links are the pair's");

        remembered.dropped("p", List.of("1"));
        unknown.clear();
        assertEquals(Map.of(), remembered.known("p", Role.B, List.of("b1"), unknown));
        assertEquals(List.of("b1"), unknown, "dropped: looked up in the store again");
    }

    @Test
    void aLookUpThatBeganBeforeADropDoesNotFillWhatItDropped() {
        LinkHashes remembered = new LinkHashes();
        long began = remembered.began();
        remembered.dropped("p", List.of("1")); // a commit that moved link 1, after the look-up read the store
        remembered.fill("p", began, List.of(link("1", "b1", "old", "old"), link("2", "b2", "two", "two")));
        assertEquals(Map.of("2", "two"), known(remembered, Role.A, "1", "2"));
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "new", "new")));
        assertEquals(Map.of("1", "new"), known(remembered, Role.A, "1"), "a look-up after the drop fills it");
    }

    @Test
    void aLinkThatPointsAtAnotherRecordIsNotKnownByItsOldId() {
        LinkHashes remembered = new LinkHashes();
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "a", "b")));
        remembered.fill("p", remembered.began(), List.of(link("1", "b9", "a", "b")));
        List<String> unknown = new ArrayList<>();
        assertEquals(Map.of("b9", "b"), remembered.known("p", Role.B, List.of("b1", "b9"), unknown));
        assertEquals(List.of("b1"), unknown);
    }

    @Test
    void allDroppedAtOnceFailsEveryLookUpUnderWay() {
        LinkHashes remembered = new LinkHashes();
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "a", "b")));
        long began = remembered.began();
        remembered.droppedAll(); // a resync forgot the pair's links
        remembered.fill("p", began, List.of(link("2", "b2", "a", "b")));
        assertEquals(Map.of(), known(remembered, Role.A, "1", "2"));
    }

    @Test
    void aLookUpOlderThanTheDropsForgottenFillsNothing() {
        LinkHashes remembered = new LinkHashes(10, 2);
        long began = remembered.began();
        remembered.dropped("p", List.of("1"));
        remembered.dropped("p", List.of("2"));
        remembered.dropped("p", List.of("3")); // the drop of 1 is forgotten: whether 1 moved after began is not known
        remembered.fill("p", began, List.of(link("1", "b1", "a", "b"), link("4", "b4", "a", "b")));
        assertEquals(Map.of(), known(remembered, Role.A, "1", "4"));
    }

    @Test
    void theLeastRecentlyUsedLinksAreForgottenBeyondTheLimit() {
        LinkHashes remembered = new LinkHashes(2, 10);
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "one", "b"), link("2", "b2", "two", "b")));
        assertEquals(Map.of("1", "one"), known(remembered, Role.A, "1")); // 1 is used: 2 is the eldest now
        remembered.fill("p", remembered.began(), List.of(link("3", "b3", "three", "b")));
        assertEquals(Map.of("1", "one", "3", "three"), known(remembered, Role.A, "1", "2", "3"));
        assertEquals(Map.of(), known(remembered, Role.B, "b2"));
    }

    @Test
    void aCommitThatFailedMayLandYetSoEverythingIsForgottenAndNothingFilledForAWhile() throws SQLException {
        LinkHashes remembered = new LinkHashes();
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "a", "b")));
        Connection lost = DriverManager.getConnection("jdbc:h2:mem:lost-connection");
        lost.close(); // its commit fails, as one whose connection broke after the commit was sent
        assertThrows(SQLException.class, () -> remembered.commit(lost, "p", List.of("2")));
        assertEquals(Map.of(), known(remembered, Role.A, "1"), "every link forgotten");
        remembered.fill("p", remembered.began(), List.of(link("1", "b1", "a", "b")));
        assertEquals(Map.of(), known(remembered, Role.A, "1"), "nothing filled while that commit is in doubt");
    }

    @Test
    void dropsAreRememberedOnlyWhileALookUpIsUnderWay() {
        LinkHashes remembered = new LinkHashes();
        remembered.dropped("p", List.of("1", "2")); // a full load's page: nobody looks links up
        assertEquals(0, remembered.dropsRemembered());
        long began = remembered.began();
        remembered.dropped("p", List.of("3"));
        assertEquals(1, remembered.dropsRemembered());
        remembered.fill("p", began, List.of(link("3", "b3", "old", "old")));
        assertEquals(Map.of(), known(remembered, Role.A, "3"), "the look-up under way read it before the drop");
        remembered.fill("p", remembered.began(), List.of(link("3", "b3", "new", "new")));
        assertEquals(Map.of("3", "new"), known(remembered, Role.A, "3"));
    }
}
