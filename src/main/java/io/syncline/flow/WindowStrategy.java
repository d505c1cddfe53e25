package io.syncline.flow;

import io.syncline.change.Page;
import io.syncline.change.Window;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Named;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;

/**
 * The aggregation strategy of a two-way pair's apply route: collects the pages read from either
 * side into the pair's open {@link Window}. Grouping by link and the policy are applied when the
 * window closes ({@code twoWayWriter.apply}), against the rows both sides hold by then.
 */
@ApplicationScoped
@Named("window")
public class WindowStrategy implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange window, Exchange pageExchange) {
        Page page = pageExchange.getMessage().getBody(Page.class);
        if (page == null || !page.pair().isTwoWay()) {
            throw new IllegalStateException("the window aggregation collects pages of a two-way pair; run the mapping step before it");
        }
        if (window == null) {
            window = new DefaultExchange(pageExchange.getContext());
            window.getMessage().setBody(new Window(page.pair().name()));
        }
        window.getMessage().getBody(Window.class).add(page);
        page.handedOver();
        return window;
    }
}
