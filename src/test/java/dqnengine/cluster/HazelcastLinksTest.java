package dqnengine.cluster;

import dqnengine.dqn.DqnConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The learner's member and actors' clients in one JVM: the run's description, weights, places, and a full inbox. */
class HazelcastLinksTest {

    @Test
    void actorsSeeTheRunTakePlacesAndWaitOnAFullInbox() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Learner.Link learner = HazelcastLinks.learner(port, 2);
        try {
            DqnConfig cfg = DqnConfig.preset("cartpole");
            Manifest m = new Manifest(Manifest.PROTOCOL, Manifest.thisVersion(), 42L, cfg.toJson(), 2, new int[] {4}, 2);
            learner.announce(m);
            HazelcastLinks.Address at = HazelcastLinks.Address.parse("127.0.0.1:" + port);
            try (Actor.Link a0 = HazelcastLinks.actor(at, -1, 30, quiet); Actor.Link a1 = HazelcastLinks.actor(at, -1, 30, quiet)) {
                assertEquals(m, a0.manifest());
                assertEquals(0, a0.index());
                assertEquals(1, a1.index(), "the first free place");
                var full = assertThrows(Actor.Incompatible.class, () -> HazelcastLinks.actor(at, -1, 30, quiet));
                assertEquals("all 2 actor places of the learner are taken (its --actors 2)", full.getMessage());

                assertEquals(-1, a0.weightsVersion(), "nothing published yet");
                learner.publish(7, new byte[] {1, 2, 3});
                assertEquals(7, a1.weightsVersion());
                assertArrayEquals(new byte[] {1, 2, 3}, a1.weights());

                assertTrue(a0.send(new byte[] {1}, () -> false));
                assertTrue(a0.send(new byte[] {2}, () -> false));
                long t0 = System.nanoTime();
                int[] asked = {0};
                assertFalse(a0.send(new byte[] {3}, () -> ++asked[0] >= 2), "a full inbox holds the actor back until it stops");
                assertTrue(System.nanoTime() - t0 > 900_000_000L, "it waited on the full inbox");
                assertArrayEquals(new byte[] {1}, learner.take(1_000));
                assertTrue(a1.send(new byte[] {4}, () -> false), "room again after the learner took one");

                assertFalse(a0.finished());
                learner.finish();
                assertTrue(a1.finished());
            }
        } finally {
            learner.close();
        }
    }

    @Test
    void addressesAreChecked() {
        assertEquals(new HazelcastLinks.Address("learner.example", 5701), HazelcastLinks.Address.parse("learner.example:5701"));
        for (String bad : new String[] {"nohost", ":5701", "host:", "host:x", "host:70000"}) {
            assertThrows(IllegalArgumentException.class, () -> HazelcastLinks.Address.parse(bad), bad);
        }
    }
}
