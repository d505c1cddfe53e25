package io.syncline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A TCP forwarder in front of a real database, shut until a marker file exists: while shut it
 * accepts each connection and drops it at once, as a database host with nothing behind its port
 * does to a client; once open it forwards bytes both ways. The marker is a file so that the test and
 * the application (loaded by other class loaders) agree on the gate's state.
 */
public final class TcpGate {

    private final ServerSocket server;
    private final Supplier<InetSocketAddress> target;
    private final Path openMarker;

    private TcpGate(Supplier<InetSocketAddress> target, Path openMarker) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.openMarker = openMarker;
        Thread acceptor = new Thread(this::accept, "tcp-gate-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A gate to the target (asked for at each connection, so it may be known only later), shut while
     * {@code openMarker} does not exist; it lives as long as the JVM.
     */
    public static TcpGate to(Supplier<InetSocketAddress> target, Path openMarker) {
        try {
            return new TcpGate(target, openMarker);
        } catch (IOException e) {
            throw new IllegalStateException("tcp gate: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (!Files.exists(openMarker)) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(target.get());
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // a client gave up; the gate goes on
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                in.transferTo(out);
            } catch (IOException e) {
                // the other end closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing
                }
            }
        }, "tcp-gate-pump");
        t.setDaemon(true);
        t.start();
    }
}
