package dqnengine.env.minatar;

import dqnengine.env.SavedState;

import java.util.Arrays;
import java.util.List;

/**
 * MinAtar Asterix. Rules (Young &amp; Tian 2019):
 * <ul>
 *   <li>The player moves one cell a step in the four directions, within rows 1–8.</li>
 *   <li>Rows 1–8 each hold at most one other object, an enemy or (one time in three) gold. A new
 *       one appears every {@code spawnInterval} steps (10 at first) at the left or right edge of a
 *       random free row and crosses the screen, one cell every {@code moveInterval} steps (5 at
 *       first), vanishing past the far edge.</li>
 *   <li>Touching gold gives +1 and removes it; touching an enemy terminates the episode (checked
 *       after the player moves and again after the objects move).</li>
 *   <li>With ramping, every 101 steps the spawn interval drops by one (down to 1) and every second
 *       time the move interval does too (down to 1).</li>
 * </ul>
 * Channels: player, enemy, trail (one cell behind each object, showing its direction), gold.
 * Minimal actions: NOOP, LEFT, UP, RIGHT, DOWN.
 */
public final class Asterix extends MinAtarGame {
    private static final int RAMP_INTERVAL = 100, SPAWN_INTERVAL = 10, MOVE_INTERVAL = 5;

    // Object in row slot+1: present, x, moving right, gold.
    final boolean[] present = new boolean[8], right = new boolean[8], gold = new boolean[8];
    final int[] objectX = new int[8];
    int playerX, playerY, spawnInterval, spawnTimer, moveInterval, moveTimer, rampTimer, level;

    public Asterix(Options options) {
        super("asterix", List.of("player", "enemy", "trail", "gold"), new int[] {NOOP, LEFT, UP, RIGHT, DOWN}, options);
    }

    @Override public int difficulty() { return level; }

    @Override
    protected void newEpisode() {
        playerX = 5;
        playerY = 5;
        Arrays.fill(present, false);
        spawnInterval = SPAWN_INTERVAL;
        spawnTimer = spawnInterval;
        moveInterval = MOVE_INTERVAL;
        moveTimer = moveInterval;
        rampTimer = RAMP_INTERVAL;
        level = 0;
    }

    @Override
    protected void saveGame(SavedState.Writer out) {
        out.putBooleans(present).putBooleans(right).putBooleans(gold).putInts(objectX).putInt(playerX).putInt(playerY)
                .putInt(spawnInterval).putInt(spawnTimer).putInt(moveInterval).putInt(moveTimer).putInt(rampTimer).putInt(level);
    }

    @Override
    protected void restoreGame(SavedState.Reader in) {
        in.getBooleans(present);
        in.getBooleans(right);
        in.getBooleans(gold);
        in.getInts(objectX);
        playerX = in.getInt();
        playerY = in.getInt();
        spawnInterval = in.getInt();
        spawnTimer = in.getInt();
        moveInterval = in.getInt();
        moveTimer = in.getInt();
        rampTimer = in.getInt();
        level = in.getInt();
    }

    @Override
    protected int update(int a) {
        if (spawnTimer == 0) {
            spawn();
            spawnTimer = spawnInterval;
        }
        switch (a) {
            case LEFT -> playerX = Math.max(0, playerX - 1);
            case RIGHT -> playerX = Math.min(SIZE - 1, playerX + 1);
            case UP -> playerY = Math.max(1, playerY - 1);
            case DOWN -> playerY = Math.min(SIZE - 2, playerY + 1);
            default -> { }
        }
        int reward = 0;
        for (int i = 0; i < 8; i++) reward += touch(i);
        if (moveTimer == 0) {
            moveTimer = moveInterval;
            for (int i = 0; i < 8; i++) {
                if (!present[i]) continue;
                objectX[i] += right[i] ? 1 : -1;
                if (objectX[i] < 0 || objectX[i] >= SIZE) present[i] = false;
                else reward += touch(i);
            }
        }
        spawnTimer--;
        moveTimer--;
        if (ramping && (spawnInterval > 1 || moveInterval > 1)) {
            if (rampTimer >= 0) {
                rampTimer--;
            } else {
                if (moveInterval > 1 && level % 2 == 1) moveInterval--;
                if (spawnInterval > 1) spawnInterval--;
                level++;
                rampTimer = RAMP_INTERVAL;
            }
        }
        return reward;
    }

    /** Resolves object i meeting the player: gold is collected (+1), an enemy ends the episode. */
    private int touch(int i) {
        if (!present[i] || objectX[i] != playerX || i + 1 != playerY) return 0;
        if (gold[i]) {
            present[i] = false;
            return 1;
        }
        terminal = true;
        return 0;
    }

    private void spawn() {
        boolean movingRight = rng.nextBoolean();
        boolean isGold = rng.nextInt(3) == 0;
        int free = 0;
        for (boolean p : present) if (!p) free++;
        if (free == 0) return;
        int pick = rng.nextInt(free);
        for (int i = 0; i < 8; i++) {
            if (present[i]) continue;
            if (pick-- == 0) {
                present[i] = true;
                right[i] = movingRight;
                gold[i] = isGold;
                objectX[i] = movingRight ? 0 : SIZE - 1;
                return;
            }
        }
    }

    @Override
    protected void draw() {
        mark(0, playerY, playerX);
        for (int i = 0; i < 8; i++) {
            if (!present[i]) continue;
            mark(gold[i] ? 3 : 1, i + 1, objectX[i]);
            mark(2, i + 1, objectX[i] + (right[i] ? -1 : 1));
        }
    }
}
