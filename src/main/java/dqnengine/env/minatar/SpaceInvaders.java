package dqnengine.env.minatar;

import dqnengine.env.SavedState;

import java.util.Arrays;
import java.util.List;

/**
 * MinAtar Space Invaders. Rules (Young &amp; Tian 2019):
 * <ul>
 *   <li>A cannon moves along the bottom row (LEFT, RIGHT) and FIREs a bullet from its cell when
 *       its cool-down (5 steps) has run out; friendly bullets rise one row a step.</li>
 *   <li>A block of aliens starts in rows 0–3, columns 2–7, moving left. Every {@code interval}
 *       steps the block moves one column; when an alien touches the wall it is heading for, the
 *       block instead moves down a row and turns round. The interval is 12 steps, or the number of
 *       aliens left when fewer remain, so the last alien moves every step.</li>
 *   <li>Every 10 steps the alien nearest the cannon (by column, lowest alien of that column)
 *       drops a bullet; enemy bullets fall one row a step.</li>
 *   <li>A friendly bullet on an alien's cell removes both: +1.</li>
 *   <li>The episode terminates when an enemy bullet or an alien reaches the cannon, or the block
 *       must step down from the bottom row.</li>
 *   <li>When the block is cleared a new one appears; with ramping each new wave moves one step
 *       faster (interval 12 → down to 6).</li>
 * </ul>
 * Channels: cannon, alien, alien_left, alien_right (aliens again, in the channel of their current
 * direction), friendly_bullet, enemy_bullet. Minimal actions: NOOP, LEFT, RIGHT, FIRE.
 */
public final class SpaceInvaders extends MinAtarGame {
    private static final int SHOT_COOL_DOWN = 5, MOVE_INTERVAL = 12, ENEMY_SHOT_INTERVAL = 10;

    final boolean[][] aliens = new boolean[SIZE][SIZE];
    final boolean[][] friendly = new boolean[SIZE][SIZE];
    final boolean[][] enemy = new boolean[SIZE][SIZE];
    int cannon, alienDirection, moveInterval, moveTimer, shotTimer, enemyShotTimer, wave;

    public SpaceInvaders(Options options) {
        super("space_invaders", List.of("cannon", "alien", "alien_left", "alien_right", "friendly_bullet", "enemy_bullet"),
                new int[] {NOOP, LEFT, RIGHT, FIRE}, options);
    }

    @Override public int difficulty() { return wave; }

    @Override
    protected void newEpisode() {
        cannon = 5;
        clear(friendly);
        clear(enemy);
        clear(aliens);
        fillAliens();
        alienDirection = -1;
        moveInterval = MOVE_INTERVAL;
        moveTimer = moveInterval;
        enemyShotTimer = ENEMY_SHOT_INTERVAL;
        shotTimer = 0;
        wave = 0;
    }

    @Override
    protected void saveGame(SavedState.Writer out) {
        out.putBooleans(aliens).putBooleans(friendly).putBooleans(enemy).putInt(cannon).putInt(alienDirection).putInt(moveInterval)
                .putInt(moveTimer).putInt(shotTimer).putInt(enemyShotTimer).putInt(wave);
    }

    @Override
    protected void restoreGame(SavedState.Reader in) {
        in.getBooleans(aliens);
        in.getBooleans(friendly);
        in.getBooleans(enemy);
        cannon = in.getInt();
        alienDirection = in.getInt();
        moveInterval = in.getInt();
        moveTimer = in.getInt();
        shotTimer = in.getInt();
        enemyShotTimer = in.getInt();
        wave = in.getInt();
    }

    private static void clear(boolean[][] g) { for (boolean[] row : g) Arrays.fill(row, false); }

    private void fillAliens() {
        for (int y = 0; y <= 3; y++) for (int x = 2; x <= 7; x++) aliens[y][x] = true;
    }

    int alienCount() {
        int n = 0;
        for (boolean[] row : aliens) for (boolean b : row) if (b) n++;
        return n;
    }

    private boolean anyInColumn(int x) {
        for (int y = 0; y < SIZE; y++) if (aliens[y][x]) return true;
        return false;
    }

    private boolean anyInRow(int y) {
        for (int x = 0; x < SIZE; x++) if (aliens[y][x]) return true;
        return false;
    }

    @Override
    protected int update(int a) {
        if (a == FIRE && shotTimer == 0) {
            friendly[SIZE - 1][cannon] = true;
            shotTimer = SHOT_COOL_DOWN;
        } else if (a == LEFT) {
            cannon = Math.max(0, cannon - 1);
        } else if (a == RIGHT) {
            cannon = Math.min(SIZE - 1, cannon + 1);
        }

        // Friendly bullets rise (those in the top row leave); enemy bullets fall (bottom row leaves).
        for (int y = 0; y < SIZE - 1; y++) friendly[y] = friendly[y + 1];
        friendly[SIZE - 1] = new boolean[SIZE];
        for (int y = SIZE - 1; y > 0; y--) enemy[y] = enemy[y - 1];
        enemy[0] = new boolean[SIZE];
        if (enemy[SIZE - 1][cannon]) terminal = true;

        if (aliens[SIZE - 1][cannon]) terminal = true;
        if (moveTimer == 0) {
            moveTimer = Math.min(alienCount(), moveInterval);
            boolean atWall = (alienDirection < 0 && anyInColumn(0)) || (alienDirection > 0 && anyInColumn(SIZE - 1));
            if (atWall) {
                alienDirection = -alienDirection;
                if (anyInRow(SIZE - 1)) terminal = true;
                for (int y = SIZE - 1; y > 0; y--) aliens[y] = aliens[y - 1];
                aliens[0] = new boolean[SIZE];
            } else {
                for (int y = 0; y < SIZE; y++) {
                    boolean[] row = new boolean[SIZE];
                    for (int x = 0; x < SIZE; x++) if (aliens[y][x]) row[x + alienDirection] = true;
                    aliens[y] = row;
                }
            }
            if (aliens[SIZE - 1][cannon]) terminal = true;
        }
        if (enemyShotTimer == 0) {
            enemyShotTimer = ENEMY_SHOT_INTERVAL;
            dropEnemyBullet();
        }

        int reward = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (aliens[y][x] && friendly[y][x]) {
                    aliens[y][x] = false;
                    friendly[y][x] = false;
                    reward++;
                }
            }
        }

        if (shotTimer > 0) shotTimer--;
        moveTimer--;
        enemyShotTimer--;
        if (alienCount() == 0) {
            if (ramping && moveInterval > 6) {
                moveInterval--;
                wave++;
            }
            fillAliens();
        }
        return reward;
    }

    /** The lowest alien of the non-empty column nearest the cannon (the left one on a tie) fires. */
    private void dropEnemyBullet() {
        for (int d = 0; d < SIZE; d++) {
            for (int x : new int[] {cannon - d, cannon + d}) {
                if (x < 0 || x >= SIZE) continue;
                for (int y = SIZE - 1; y >= 0; y--) {
                    if (aliens[y][x]) {
                        enemy[y][x] = true;
                        return;
                    }
                }
            }
        }
    }

    @Override
    protected void draw() {
        mark(0, SIZE - 1, cannon);
        int directionChannel = alienDirection < 0 ? 2 : 3;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if (aliens[y][x]) {
                    mark(1, y, x);
                    mark(directionChannel, y, x);
                }
                if (friendly[y][x]) mark(4, y, x);
                if (enemy[y][x]) mark(5, y, x);
            }
        }
    }
}
