package dqnengine.env.minatar;

import dqnengine.env.SavedState;

import java.util.Arrays;
import java.util.List;

/**
 * MinAtar Breakout. Rules (Young &amp; Tian 2019):
 * <ul>
 *   <li>A paddle moves along the bottom row (LEFT, RIGHT; one cell a step, stopped by the walls).
 *       Three rows of bricks fill rows 1–3.</li>
 *   <li>The ball starts in row 3 at the left or right wall (chosen at random), heading down and
 *       away from that wall, and always moves one cell diagonally per step.</li>
 *   <li>A side wall reflects the horizontal direction; the top wall the vertical one.</li>
 *   <li>Moving into a brick removes it for +1, bounces the ball back vertically and keeps it in
 *       its old row. A ball that moved into a brick on the previous step does not break another
 *       on this one.</li>
 *   <li>Reaching the bottom row: if the paddle is under the ball's old column it bounces back
 *       vertically; if under the new column it bounces back and reverses horizontally; otherwise
 *       the ball is missed and the episode terminates. Whenever the ball comes down to the bottom
 *       row with no bricks left, the three rows are refilled.</li>
 * </ul>
 * Channels: paddle, ball, trail (the ball's previous cell, which shows its direction), brick.
 * No difficulty ramp. Minimal actions: NOOP, LEFT, RIGHT.
 */
public final class Breakout extends MinAtarGame {
    // Directions 0..3: up-left, up-right, down-right, down-left.
    private static final int[] DX = {-1, 1, 1, -1}, DY = {-1, -1, 1, 1};
    private static final int[] FLIP_X = {1, 0, 3, 2}, FLIP_Y = {3, 2, 1, 0}, FLIP_BOTH = {2, 3, 0, 1};

    final boolean[][] bricks = new boolean[SIZE][SIZE];
    int ballX, ballY, direction, paddle, lastX, lastY;
    private boolean struck;

    public Breakout(Options options) {
        super("breakout", List.of("paddle", "ball", "trail", "brick"), new int[] {NOOP, LEFT, RIGHT}, options);
    }

    @Override public int difficulty() { return 0; }

    @Override
    protected void newEpisode() {
        ballY = 3;
        if (rng.nextBoolean()) { ballX = 0; direction = 2; } else { ballX = 9; direction = 3; }
        paddle = 4;
        for (boolean[] row : bricks) Arrays.fill(row, false);
        fillBricks();
        struck = false;
        lastX = ballX;
        lastY = ballY;
    }

    @Override
    protected void saveGame(SavedState.Writer out) {
        out.putBooleans(bricks).putInt(ballX).putInt(ballY).putInt(direction).putInt(paddle).putInt(lastX).putInt(lastY).putBoolean(struck);
    }

    @Override
    protected void restoreGame(SavedState.Reader in) {
        in.getBooleans(bricks);
        ballX = in.getInt();
        ballY = in.getInt();
        direction = in.getInt();
        paddle = in.getInt();
        lastX = in.getInt();
        lastY = in.getInt();
        struck = in.getBoolean();
    }

    private void fillBricks() {
        for (int y = 1; y <= 3; y++) Arrays.fill(bricks[y], true);
    }

    /** Number of bricks left (tests). */
    public int bricksLeft() {
        int n = 0;
        for (boolean[] row : bricks) for (boolean b : row) if (b) n++;
        return n;
    }

    @Override
    protected int update(int a) {
        if (a == LEFT) paddle = Math.max(0, paddle - 1);
        else if (a == RIGHT) paddle = Math.min(SIZE - 1, paddle + 1);

        lastX = ballX;
        lastY = ballY;
        int x = ballX + DX[direction], y = ballY + DY[direction];
        int reward = 0;
        boolean hitBrick = false;
        if (x < 0 || x >= SIZE) {
            x = Math.max(0, Math.min(SIZE - 1, x));
            direction = FLIP_X[direction];
        }
        if (y < 0) {
            y = 0;
            direction = FLIP_Y[direction];
        } else if (bricks[y][x]) {
            hitBrick = true;
            if (!struck) {
                reward = 1;
                struck = true;
                bricks[y][x] = false;
                y = lastY;
                direction = FLIP_Y[direction];
            }
        } else if (y == SIZE - 1) {
            if (bricksLeft() == 0) fillBricks();
            if (ballX == paddle) {
                direction = FLIP_Y[direction];
                y = lastY;
            } else if (x == paddle) {
                direction = FLIP_BOTH[direction];
                y = lastY;
            } else {
                terminal = true;
            }
        }
        if (!hitBrick) struck = false;
        ballX = x;
        ballY = y;
        return reward;
    }

    @Override
    protected void draw() {
        mark(0, SIZE - 1, paddle);
        mark(1, ballY, ballX);
        mark(2, lastY, lastX);
        for (int y = 0; y < SIZE; y++) for (int x = 0; x < SIZE; x++) if (bricks[y][x]) mark(3, y, x);
    }
}
