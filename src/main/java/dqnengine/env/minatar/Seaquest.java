package dqnengine.env.minatar;

import dqnengine.env.SavedState;

import java.util.ArrayList;
import java.util.List;

/**
 * MinAtar Seaquest. Rules (Young &amp; Tian 2019):
 * <ul>
 *   <li>The player's submarine occupies two cells, front and back, so its heading shows. It moves
 *       in four directions (rows 0–8; LEFT and RIGHT also turn it) and FIREs a torpedo from its
 *       front when the cool-down (5 steps) allows; torpedoes travel one cell a step.</li>
 *   <li>Enemy fish and submarines (one in three) appear every {@code spawnInterval} steps (20 at
 *       first) at an edge of a random row 1–8, unless that row already holds an enemy going the
 *       other way, and cross one cell every {@code moveInterval} steps (5 at first). Enemy
 *       submarines fire a bullet every 10 steps; bullets travel one cell a step.</li>
 *   <li>A torpedo that meets a fish or an enemy submarine removes both: +1.</li>
 *   <li>Divers appear every 30 steps at an edge of a random row 1–8 and cross one cell every 5
 *       steps. Touching one picks it up while fewer than 6 are aboard.</li>
 *   <li>Oxygen (200) falls by one every step below the surface (row 0). Surfacing with divers
 *       aboard refills it: with 6 aboard all leave and every tenth of the oxygen left is worth +1;
 *       with fewer, one diver leaves. Each surfacing raises the difficulty (with ramping): the
 *       spawn interval drops by one (down to 1) and every second time the move interval too (down
 *       to 2).</li>
 *   <li>The episode terminates when the submarine meets an enemy or a bullet, when the oxygen
 *       runs out, or when it surfaces with no diver aboard.</li>
 * </ul>
 * Channels: sub_front, sub_back, friendly_bullet, trail (one cell behind every enemy and diver),
 * enemy_bullet, enemy_fish, enemy_sub, oxygen_gauge (bottom row, one cell per 20 units),
 * diver_gauge (bottom row, from the right, one cell per diver aboard), diver. All six actions
 * matter, so the minimal set is the full set.
 *
 * <p>One deviation from the public code at the time of writing: there, surfacing with 6 divers
 * first empties the submarine and then also removes "one diver", leaving a count of −1; we leave
 * it at 0, which is what the paper's rules say.
 */
public final class Seaquest extends MinAtarGame {
    private static final int MAX_OXYGEN = 200, SPAWN_INTERVAL = 20, DIVER_INTERVAL = 30, MOVE_INTERVAL = 5;
    private static final int SHOT_COOL_DOWN = 5, ENEMY_SHOT_INTERVAL = 10, DIVER_MOVE_INTERVAL = 5;

    /** A moving thing: position, heading, move timer and (enemy submarines) shot timer. */
    static final class Mover {
        int x;
        final int y;
        final boolean right;
        int moveTimer, shotTimer;

        Mover(int x, int y, boolean right, int moveTimer, int shotTimer) {
            this.x = x; this.y = y; this.right = right; this.moveTimer = moveTimer; this.shotTimer = shotTimer;
        }

        void advance() { x += right ? 1 : -1; }

        boolean outside() { return x < 0 || x >= SIZE; }

        boolean at(int px, int py) { return x == px && y == py; }
    }

    final List<Mover> torpedoes = new ArrayList<>(), bullets = new ArrayList<>(), fish = new ArrayList<>();
    final List<Mover> subs = new ArrayList<>(), divers = new ArrayList<>();
    int subX, subY, oxygen, diversAboard, spawnInterval, spawnTimer, diverTimer, moveInterval, shotTimer, level;
    boolean facingRight, surfaced;

    public Seaquest(Options options) {
        super("seaquest", List.of("sub_front", "sub_back", "friendly_bullet", "trail", "enemy_bullet", "enemy_fish",
                "enemy_sub", "oxygen_gauge", "diver_gauge", "diver"), new int[] {NOOP, LEFT, UP, RIGHT, DOWN, FIRE}, options);
    }

    @Override public int difficulty() { return level; }

    @Override
    protected void newEpisode() {
        oxygen = MAX_OXYGEN;
        diversAboard = 0;
        subX = 5;
        subY = 0;
        facingRight = false;
        torpedoes.clear();
        bullets.clear();
        fish.clear();
        subs.clear();
        divers.clear();
        spawnInterval = SPAWN_INTERVAL;
        spawnTimer = spawnInterval;
        diverTimer = DIVER_INTERVAL;
        moveInterval = MOVE_INTERVAL;
        level = 0;
        shotTimer = 0;
        surfaced = true;
    }

    @Override
    protected void saveGame(SavedState.Writer out) {
        for (List<Mover> list : List.of(torpedoes, bullets, fish, subs, divers)) {
            out.putInt(list.size());
            for (Mover m : list) out.putInt(m.x).putInt(m.y).putBoolean(m.right).putInt(m.moveTimer).putInt(m.shotTimer);
        }
        out.putInt(subX).putInt(subY).putInt(oxygen).putInt(diversAboard).putInt(spawnInterval).putInt(spawnTimer).putInt(diverTimer)
                .putInt(moveInterval).putInt(shotTimer).putInt(level).putBoolean(facingRight).putBoolean(surfaced);
    }

    @Override
    protected void restoreGame(SavedState.Reader in) {
        for (List<Mover> list : List.of(torpedoes, bullets, fish, subs, divers)) {
            int n = in.getInt();
            if (n < 0 || n > SIZE * SIZE) throw new IllegalArgumentException("the saved Seaquest state has " + n + " objects in a list");
            list.clear();
            for (int k = 0; k < n; k++) {
                int x = in.getInt(), y = in.getInt();
                boolean right = in.getBoolean();
                list.add(new Mover(x, y, right, in.getInt(), in.getInt()));
            }
        }
        subX = in.getInt();
        subY = in.getInt();
        oxygen = in.getInt();
        diversAboard = in.getInt();
        spawnInterval = in.getInt();
        spawnTimer = in.getInt();
        diverTimer = in.getInt();
        moveInterval = in.getInt();
        shotTimer = in.getInt();
        level = in.getInt();
        facingRight = in.getBoolean();
        surfaced = in.getBoolean();
    }

    @Override
    protected int update(int a) {
        if (spawnTimer == 0) {
            spawnEnemy();
            spawnTimer = spawnInterval;
        }
        if (diverTimer == 0) {
            spawnDiver();
            diverTimer = DIVER_INTERVAL;
        }
        switch (a) {
            case FIRE -> {
                if (shotTimer == 0) {
                    torpedoes.add(new Mover(subX, subY, facingRight, 0, 0));
                    shotTimer = SHOT_COOL_DOWN;
                }
            }
            case LEFT -> { subX = Math.max(0, subX - 1); facingRight = false; }
            case RIGHT -> { subX = Math.min(SIZE - 1, subX + 1); facingRight = true; }
            case UP -> subY = Math.max(0, subY - 1);
            case DOWN -> subY = Math.min(SIZE - 2, subY + 1);
            default -> { }
        }
        int reward = 0;

        // Torpedoes move, then hit a fish (first) or a submarine on their new cell.
        for (int i = torpedoes.size() - 1; i >= 0; i--) {
            Mover t = torpedoes.get(i);
            t.advance();
            if (t.outside()) {
                torpedoes.remove(i);
            } else if (removeAt(fish, t.x, t.y) || removeAt(subs, t.x, t.y)) {
                torpedoes.remove(i);
                reward++;
            }
        }

        // Divers are picked up before or after they move.
        for (int i = divers.size() - 1; i >= 0; i--) {
            Mover d = divers.get(i);
            if (d.at(subX, subY) && diversAboard < 6) {
                divers.remove(i);
                diversAboard++;
            } else if (d.moveTimer == 0) {
                d.moveTimer = DIVER_MOVE_INTERVAL;
                d.advance();
                if (d.outside()) {
                    divers.remove(i);
                } else if (d.at(subX, subY) && diversAboard < 6) {
                    divers.remove(i);
                    diversAboard++;
                }
            } else {
                d.moveTimer--;
            }
        }

        // Enemy submarines move and fire; then bullets move; then fish move.
        for (int i = subs.size() - 1; i >= 0; i--) {
            Mover s = subs.get(i);
            reward += moveEnemy(subs, i, s);
            if (s.shotTimer == 0) {
                s.shotTimer = ENEMY_SHOT_INTERVAL;
                if (!s.outside()) bullets.add(new Mover(s.x, s.y, s.right, 0, 0));
            } else {
                s.shotTimer--;
            }
        }
        for (int i = bullets.size() - 1; i >= 0; i--) {
            Mover b = bullets.get(i);
            if (b.at(subX, subY)) terminal = true;
            b.advance();
            if (b.outside()) bullets.remove(i);
            else if (b.at(subX, subY)) terminal = true;
        }
        for (int i = fish.size() - 1; i >= 0; i--) reward += moveEnemy(fish, i, fish.get(i));

        if (spawnTimer > 0) spawnTimer--;
        if (diverTimer > 0) diverTimer--;
        if (shotTimer > 0) shotTimer--;
        if (oxygen < 0) terminal = true;
        if (subY > 0) {
            oxygen--;
            surfaced = false;
        } else if (!surfaced) {
            if (diversAboard == 0) terminal = true;
            else reward += surface();
        }
        return reward;
    }

    /** Moves enemy i of {@code list} when its timer allows; returns +1 if it ran into a torpedo. */
    private int moveEnemy(List<Mover> list, int i, Mover e) {
        if (e.at(subX, subY)) terminal = true;
        if (e.moveTimer != 0) {
            e.moveTimer--;
            return 0;
        }
        e.moveTimer = moveInterval;
        e.advance();
        if (e.outside()) {
            list.remove(i);
        } else if (e.at(subX, subY)) {
            terminal = true;
        } else if (removeAt(torpedoes, e.x, e.y)) {
            list.remove(i);
            return 1;
        }
        return 0;
    }

    private static boolean removeAt(List<Mover> list, int x, int y) {
        for (int j = 0; j < list.size(); j++) {
            if (list.get(j).at(x, y)) {
                list.remove(j);
                return true;
            }
        }
        return false;
    }

    private int surface() {
        surfaced = true;
        int reward = 0;
        if (diversAboard == 6) {
            diversAboard = 0;
            reward = oxygen * 10 / MAX_OXYGEN;
        } else {
            diversAboard--;
        }
        oxygen = MAX_OXYGEN;
        if (ramping && (spawnInterval > 1 || moveInterval > 2)) {
            if (moveInterval > 2 && level % 2 == 1) moveInterval--;
            if (spawnInterval > 1) spawnInterval--;
            level++;
        }
        return reward;
    }

    private void spawnEnemy() {
        boolean right = rng.nextBoolean();
        boolean isSub = rng.nextInt(3) == 0;
        int y = 1 + rng.nextInt(8);
        for (List<Mover> list : List.of(subs, fish)) for (Mover m : list) if (m.y == y && m.right != right) return;
        int x = right ? 0 : SIZE - 1;
        if (isSub) subs.add(new Mover(x, y, right, moveInterval, ENEMY_SHOT_INTERVAL));
        else fish.add(new Mover(x, y, right, moveInterval, 0));
    }

    private void spawnDiver() {
        boolean right = rng.nextBoolean();
        int y = 1 + rng.nextInt(8);
        divers.add(new Mover(right ? 0 : SIZE - 1, y, right, DIVER_MOVE_INTERVAL, 0));
    }

    @Override
    protected void draw() {
        mark(0, subY, subX);
        mark(1, subY, facingRight ? subX - 1 : subX + 1);
        for (int x = 0; x < Math.max(0, oxygen) * 10 / MAX_OXYGEN; x++) mark(7, SIZE - 1, x);
        for (int k = 0; k < diversAboard; k++) mark(8, SIZE - 1, SIZE - 2 - k);
        for (Mover t : torpedoes) mark(2, t.y, t.x);
        for (Mover b : bullets) mark(4, b.y, b.x);
        drawWithTrail(fish, 5);
        drawWithTrail(subs, 6);
        drawWithTrail(divers, 9);
    }

    private void drawWithTrail(List<Mover> list, int channel) {
        for (Mover m : list) {
            mark(channel, m.y, m.x);
            mark(3, m.y, m.x + (m.right ? -1 : 1));
        }
    }
}
