package io.syncline.testing;

import static io.restassured.RestAssured.given;

import io.restassured.specification.RequestSpecification;

/** Requests to the ops API signed in as the test profile's users (application.properties, %test). */
public final class Api {

    public static final String OPERATOR = "operator";
    public static final String OPERATOR_PASSWORD = "test-operator-password";
    public static final String VIEWER = "viewer";
    public static final String VIEWER_PASSWORD = "test-viewer-password";

    private Api() {
    }

    /** A request as an operator, who may read and act. */
    public static RequestSpecification operator() {
        return given().auth().preemptive().basic(OPERATOR, OPERATOR_PASSWORD);
    }

    /** A request as a viewer, who may only read. */
    public static RequestSpecification viewer() {
        return given().auth().preemptive().basic(VIEWER, VIEWER_PASSWORD);
    }
}
