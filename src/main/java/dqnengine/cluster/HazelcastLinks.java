package dqnengine.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.client.config.ClientConnectionStrategyConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.QueueConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastException;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The learner's and the actors' sides of the cluster, on Hazelcast.
 * <pre>
 *   learner   an embedded Hazelcast member, alone in its cluster "dqn-engine": it holds every
 *             structure below, so nothing of the run lives in an actor
 *   actors    Hazelcast clients of that member (--join HOST:PORT): an actor that dies takes
 *             no data with it and moves no partitions
 *
 *   IQueue "experience"   chunks, bounded (--inbox chunks): a full queue makes actors wait
 *   IMap   "run"          "manifest" → the run's description (Manifest, JSON)
 *   IMap   "weights"      "online" → the newest weights (safetensors bytes)
 *   IMap   "versions"     "online" → their version (read by actors every few steps: 8 bytes)
 *   IMap   "actors"       index → session of the actor holding it, with a 15 s time to live
 *                         that the actor renews every 3 s: a dead actor's index frees itself
 * </pre>
 * A learner that dies loses these structures with it; on restart (--resume) it publishes them
 * afresh, and the actors' clients, which keep reconnecting, carry on (see {@link Actor}).
 */
public final class HazelcastLinks {
    static final String CLUSTER = "dqn-engine";
    static final String EXPERIENCE = "experience", RUN = "run", WEIGHTS = "weights", VERSIONS = "versions", ACTORS = "actors";
    private static final int LEASE_SECONDS = 15, HEARTBEAT_SECONDS = 3;

    /**
     * Hazelcast logs through java.util.logging; its INFO and WARNING lines (cluster membership,
     * "starting standalone", the JVM flags it would like for speed) are not the run's business,
     * and what goes wrong reaches the user as our own one-line errors. Held in a field: JUL keeps
     * loggers weakly. DQN_ENGINE_DEBUG set: Hazelcast's warnings are shown.
     */
    private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

    static {
        HAZELCAST_LOG.setLevel(System.getenv("DQN_ENGINE_DEBUG") != null ? Level.WARNING : Level.SEVERE);
    }

    private HazelcastLinks() {}

    private static void quiet(BiConsumer<String, String> property) {
        property.accept("hazelcast.logging.type", "jdk");
        property.accept("hazelcast.phone.home.enabled", "false");
        property.accept("hazelcast.shutdownhook.enabled", "false");     // our own hooks save first, then shut Hazelcast down
    }

    /**
     * The configuration of a member that stays alone in cluster {@code cluster} on {@code port}
     * (all interfaces; no discovery: others join it as clients). A port already taken is told in
     * one line, {@code takenHint} saying what may hold it.
     */
    private static Config memberAlone(String cluster, int port, String takenHint) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("--port must be in 1..65535, got " + port);
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalArgumentException("port " + port + " is taken" + takenHint + ": choose another with --port");
        }
        Config c = new Config();
        c.setClusterName(cluster);
        quiet(c::setProperty);
        c.getNetworkConfig().setPort(port).setPortAutoIncrement(false);
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        return c;
    }

    /** Starts the learner's member on {@code port} (all interfaces), with an inbox of {@code inboxChunks}. */
    public static Learner.Link learner(int port, int inboxChunks) {
        if (inboxChunks < 1) throw new IllegalArgumentException("--inbox must be at least 1 chunk");
        Config c = memberAlone(CLUSTER, port, " (another learner?)");
        c.addQueueConfig(new QueueConfig(EXPERIENCE).setMaxSize(inboxChunks).setBackupCount(0));
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
        return new LearnerSide(hz);
    }

    private static final class LearnerSide implements Learner.Link {
        private final HazelcastInstance hz;
        private final IQueue<byte[]> inbox;
        private final IMap<String, String> run;
        private final IMap<String, byte[]> weights;
        private final IMap<String, Long> versions;

        LearnerSide(HazelcastInstance hz) {
            this.hz = hz;
            this.inbox = hz.getQueue(EXPERIENCE);
            this.run = hz.getMap(RUN);
            this.weights = hz.getMap(WEIGHTS);
            this.versions = hz.getMap(VERSIONS);
        }

        @Override
        public void announce(Manifest manifest) {
            run.delete("finished");
            run.set("manifest", manifest.toJson());
        }

        @Override
        public byte[] take(long timeoutMillis) throws InterruptedException { return inbox.poll(timeoutMillis, TimeUnit.MILLISECONDS); }

        @Override
        public void publish(long version, byte[] bytes) {
            weights.set("online", bytes);                 // the weights first: an actor that sees the version finds them
            versions.set("online", version);
        }

        @Override
        public void finish() {
            run.set("finished", "true");
            // actors waiting on a full inbox would not see it: empty the inbox for a while so that
            // each one's next send returns and its check finds the run finished
            long until = System.currentTimeMillis() + 3_000;
            while (System.currentTimeMillis() < until) {
                try {
                    if (inbox.poll(100, TimeUnit.MILLISECONDS) == null && inbox.isEmpty()) Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        @Override
        public void close() { hz.shutdown(); }
    }

    /** A learner address HOST:PORT, checked. */
    public record Address(String host, int port) {
        public static Address parse(String text) {
            int colon = text.lastIndexOf(':');
            if (colon <= 0 || colon == text.length() - 1) throw new IllegalArgumentException("--join needs HOST:PORT, got '" + text + "'");
            int port;
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--join needs HOST:PORT, got '" + text + "' (the port is not a number)");
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("--join: port " + port + " is outside 1..65535");
            return new Address(text.substring(0, colon), port);
        }

        @Override
        public String toString() { return host + ":" + port; }
    }

    /**
     * Connects an actor to the learner at {@code address}: first a plain TCP connection (a wrong
     * address is told in one line within seconds), then a Hazelcast client that keeps
     * reconnecting for up to {@code awaySeconds} whenever the learner is gone. Claims
     * {@code index} (or the first free index when it is negative).
     */
    public static Actor.Link actor(Address address, int index, int awaySeconds, PrintStream out) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.host(), address.port()), 5_000);
        } catch (IOException e) {
            throw new IllegalArgumentException("no learner answers at " + address + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + "): start one with 'cluster learner', or check --join");
        }
        ClientConfig cc = new ClientConfig();
        cc.setClusterName(CLUSTER);
        quiet(cc::setProperty);
        cc.setProperty("hazelcast.client.invocation.timeout.seconds", "5");   // fail fast while the learner is away; Actor.Link retries
        cc.getNetworkConfig().addAddress(address.toString());
        cc.getConnectionStrategyConfig().setReconnectMode(ClientConnectionStrategyConfig.ReconnectMode.ON);
        cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(awaySeconds * 1000L)
                .setInitialBackoffMillis(250).setMaxBackoffMillis(2_000);
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(cc);
        } catch (IllegalStateException | HazelcastException e) {
            throw new IllegalArgumentException("something answers at " + address + " but it is not a dqn-engine learner (" + e.getMessage() + ")");
        }
        try {
            return new ActorSide(client, address, index, awaySeconds, out);
        } catch (RuntimeException e) {
            client.shutdown();
            throw e;
        }
    }

    private static final class ActorSide implements Actor.Link {
        private final HazelcastInstance client;
        private final Address address;
        private final IQueue<byte[]> outbox;
        private final IMap<String, String> run;
        private final IMap<String, byte[]> weights;
        private final IMap<String, Long> versions;
        private final IMap<Integer, Long> actors;
        private final long session = new Random().nextLong();
        private final int index;
        private final long awayMillis;
        private final PrintStream out;
        private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "actor-heartbeat");
            t.setDaemon(true);
            return t;
        });

        ActorSide(HazelcastInstance client, Address address, int wanted, int awaySeconds, PrintStream out) {
            this.client = client;
            this.address = address;
            this.outbox = client.getQueue(EXPERIENCE);
            this.run = client.getMap(RUN);
            this.weights = client.getMap(WEIGHTS);
            this.versions = client.getMap(VERSIONS);
            this.actors = client.getMap(ACTORS);
            this.awayMillis = awaySeconds * 1000L;
            this.out = out;
            Manifest m;
            try {
                m = manifest();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the learner");
            }
            this.index = claim(wanted, m.actors());
            heartbeat.scheduleAtFixedRate(this::renew, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
        }

        private int claim(int wanted, int count) {
            if (wanted >= count) throw new Actor.Incompatible("actor index " + wanted + " is outside 0.." + (count - 1) + ": the learner takes at most " + count + " actors (its --actors)");
            if (wanted >= 0) {
                Long holder = actors.putIfAbsent(wanted, session, LEASE_SECONDS, TimeUnit.SECONDS);
                if (holder != null) throw new Actor.Incompatible("actor index " + wanted + " is taken by a running actor: give another --index, or none");
                return wanted;
            }
            for (int i = 0; i < count; i++) {
                if (actors.putIfAbsent(i, session, LEASE_SECONDS, TimeUnit.SECONDS) == null) return i;
            }
            throw new Actor.Incompatible("all " + count + " actor places of the learner are taken (its --actors " + count + ")");
        }

        /** Renews this actor's lease on its index (after a learner restart this also re-registers it). */
        private void renew() {
            try {
                actors.set(index, session, LEASE_SECONDS, TimeUnit.SECONDS);
            } catch (RuntimeException away) {
                // the learner is away: the next beat tries again
            }
        }

        @Override
        public int index() { return index; }

        @Override
        public Manifest manifest() throws InterruptedException {
            long deadline = System.currentTimeMillis() + awayMillis;
            while (true) {
                String json = retrying(() -> run.get("manifest"));
                if (json != null) return Manifest.fromJson(json);
                if (System.currentTimeMillis() > deadline) throw new LearnerGone(address, awayMillis / 1000);
                Thread.sleep(200);                          // a learner that is starting has not announced its run yet
            }
        }

        @Override
        public boolean send(byte[] chunk, BooleanSupplier stop) throws InterruptedException {
            long deadline = System.currentTimeMillis() + awayMillis;
            boolean waited = false;
            while (true) {
                Boolean taken = retrying(() -> outbox.offer(chunk, 1, TimeUnit.SECONDS));
                if (Boolean.TRUE.equals(taken)) return true;
                if (stop.getAsBoolean()) return false;
                if (taken == null) {                        // the learner is away
                    if (System.currentTimeMillis() > deadline) throw new LearnerGone(address, awayMillis / 1000);
                    if (!waited) out.println("actor " + index + ": the learner at " + address + " is away; keeping the chunk and retrying");
                    waited = true;
                    Thread.sleep(500);
                } else {
                    deadline = System.currentTimeMillis() + awayMillis;   // a full inbox is back-pressure, not absence
                }
            }
        }

        @Override
        public long weightsVersion() throws InterruptedException {
            Long v = retrying(() -> versions.get("online"));
            return v == null ? -1 : v;
        }

        @Override
        public byte[] weights() throws InterruptedException { return retrying(() -> weights.get("online")); }

        @Override
        public boolean finished() throws InterruptedException { return "true".equals(retrying(() -> run.get("finished"))); }

        /** Runs a call on the cluster; null when the learner is away (the caller decides how long to wait). */
        private <T> T retrying(Call<T> call) throws InterruptedException {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!client.getLifecycleService().isRunning()) throw new LearnerGone(address, awayMillis / 1000);
                return null;
            }
        }

        @Override
        public void close() {
            heartbeat.shutdownNow();
            try {
                actors.remove(index, session);
            } catch (RuntimeException ignored) {
                // the lease ends by itself
            }
            client.shutdown();
        }
    }

    // ---------------------------------------------------------------- sweeps

    /** A sweep's side of the cluster: the board, and the sweep's description (root, cells) under "sweep-meta". */
    public record SweepSide(Sweep.Board board, Map<String, String> meta, AutoCloseable closer) implements AutoCloseable {
        @Override
        public void close() throws Exception { closer.close(); }
    }

    static final String SWEEP_STATES = "sweep-cells", SWEEP_LEASES = "sweep-leases", SWEEP_META = "sweep-meta";

    /** The coordinator of a sweep: a member on {@code port} holding the board; its own workers use it too. */
    public static SweepSide sweepCoordinator(int port, int leaseSeconds, String worker) {
        Config c = memberAlone(CLUSTER + "-sweep", port, "");
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
        return side(hz, leaseSeconds, worker);
    }

    /** A worker of a sweep on another machine: a client of the coordinator at {@code address}. */
    public static SweepSide sweepWorker(Address address, int leaseSeconds, String worker) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address.host(), address.port()), 5_000);
        } catch (IOException e) {
            throw new IllegalArgumentException("no sweep coordinator answers at " + address + " (" + e.getMessage() + "): start one with 'sweep --grid FILE --port N'");
        }
        ClientConfig cc = new ClientConfig();
        cc.setClusterName(CLUSTER + "-sweep");
        quiet(cc::setProperty);
        cc.getNetworkConfig().addAddress(address.toString());
        cc.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(60_000);
        HazelcastInstance client;
        try {
            client = HazelcastClient.newHazelcastClient(cc);
        } catch (IllegalStateException | HazelcastException e) {
            throw new IllegalArgumentException("something answers at " + address + " but it is not a dqn-engine sweep (" + e.getMessage() + ")");
        }
        return side(client, leaseSeconds, worker);
    }

    private static SweepSide side(HazelcastInstance hz, int leaseSeconds, String worker) {
        IMap<String, String> states = hz.getMap(SWEEP_STATES), leases = hz.getMap(SWEEP_LEASES);
        Set<String> mine = ConcurrentHashMap.newKeySet();
        ScheduledExecutorService renew = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sweep-leases");
            t.setDaemon(true);
            return t;
        });
        renew.scheduleAtFixedRate(() -> {
            for (String cell : mine) {
                try {
                    leases.set(cell, worker, leaseSeconds, TimeUnit.SECONDS);
                } catch (RuntimeException away) {
                    // the coordinator is unreachable for now: the next round tries again
                }
            }
        }, 1, Math.max(1, leaseSeconds / 3), TimeUnit.SECONDS);
        Sweep.Board board = new Sweep.Board() {
            @Override public ConcurrentMap<String, String> states() { return states; }

            @Override public boolean tryLease(String cell, String who) {
                if (leases.putIfAbsent(cell, who, leaseSeconds, TimeUnit.SECONDS) != null) return false;
                mine.add(cell);
                return true;
            }

            @Override public boolean leased(String cell) { return leases.containsKey(cell); }

            @Override public void release(String cell) {
                mine.remove(cell);
                leases.delete(cell);
            }
        };
        return new SweepSide(board, hz.getMap(SWEEP_META), () -> {
            renew.shutdownNow();
            hz.shutdown();
        });
    }

    /** A call on the cluster. */
    private interface Call<T> {
        T get() throws InterruptedException;
    }

    /** The learner has been unreachable for longer than the actor waits. */
    public static final class LearnerGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LearnerGone(Address address, long seconds) {
            super("lost the learner at " + address + " for more than " + seconds + " s (--learner-timeout): stopping");
        }
    }
}
