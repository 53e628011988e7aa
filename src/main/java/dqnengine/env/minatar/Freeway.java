package dqnengine.env.minatar;

import dqnengine.env.SavedState;

import java.util.List;

/**
 * MinAtar Freeway. Rules (Young &amp; Tian 2019):
 * <ul>
 *   <li>A chicken in column 4 starts in the bottom row and moves UP or DOWN one row, at most once
 *       every 3 steps.</li>
 *   <li>Eight cars, one in each of rows 1–8, drive horizontally and wrap round at the edges. Each
 *       car has a speed 1–5 (it moves once every that many steps) and a direction, drawn at random
 *       at the start and again every time the chicken crosses.</li>
 *   <li>Reaching the top row gives +1 and puts the chicken back at the bottom; a car on the
 *       chicken's cell also sends it back to the bottom (no penalty).</li>
 *   <li>The game lasts 2,500 steps. The paper calls that end terminal; it is a time limit the
 *       observation does not show, so we report it as truncated (bootstrap from the last state).</li>
 * </ul>
 * Channels: chicken, car, then speed1 … speed5: a trail one cell behind each car, in the channel
 * of its speed, so direction and speed are visible. No difficulty ramp. Minimal actions: NOOP,
 * UP, DOWN.
 */
public final class Freeway extends MinAtarGame {
    private static final int PLAYER_SPEED = 3, TIME_LIMIT = 2500;

    final int[] carX = new int[8], carTimer = new int[8], carSpeed = new int[8];   // speed signed: + moves right
    int chicken, moveTimer, clock;

    public Freeway(Options options) {
        super("freeway", List.of("chicken", "car", "speed1", "speed2", "speed3", "speed4", "speed5"),
                new int[] {NOOP, UP, DOWN}, options);
    }

    @Override public int difficulty() { return 0; }

    @Override
    protected void newEpisode() {
        for (int i = 0; i < 8; i++) carX[i] = 0;
        randomizeCars();
        chicken = SIZE - 1;
        moveTimer = PLAYER_SPEED;
        clock = TIME_LIMIT;
    }

    @Override
    protected void saveGame(SavedState.Writer out) {
        out.putInts(carX).putInts(carTimer).putInts(carSpeed).putInt(chicken).putInt(moveTimer).putInt(clock);
    }

    @Override
    protected void restoreGame(SavedState.Reader in) {
        in.getInts(carX);
        in.getInts(carTimer);
        in.getInts(carSpeed);
        chicken = in.getInt();
        moveTimer = in.getInt();
        clock = in.getInt();
    }

    private void randomizeCars() {
        for (int i = 0; i < 8; i++) {
            int speed = 1 + rng.nextInt(5);
            carSpeed[i] = rng.nextBoolean() ? speed : -speed;
            carTimer[i] = speed;
        }
    }

    @Override
    protected int update(int a) {
        int reward = 0;
        if (a == UP && moveTimer == 0) {
            moveTimer = PLAYER_SPEED;
            chicken = Math.max(0, chicken - 1);
        } else if (a == DOWN && moveTimer == 0) {
            moveTimer = PLAYER_SPEED;
            chicken = Math.min(SIZE - 1, chicken + 1);
        }
        if (chicken == 0) {
            reward = 1;
            randomizeCars();
            chicken = SIZE - 1;
        }
        for (int i = 0; i < 8; i++) {
            int row = i + 1;
            if (carX[i] == 4 && row == chicken) chicken = SIZE - 1;
            if (carTimer[i] == 0) {
                carTimer[i] = Math.abs(carSpeed[i]);
                carX[i] = Math.floorMod(carX[i] + Integer.signum(carSpeed[i]), SIZE);
                if (carX[i] == 4 && row == chicken) chicken = SIZE - 1;
            } else {
                carTimer[i]--;
            }
        }
        if (moveTimer > 0) moveTimer--;
        clock--;
        return reward;
    }

    @Override
    protected boolean timeUp() { return clock < 0; }

    @Override
    protected void draw() {
        mark(0, chicken, 4);
        for (int i = 0; i < 8; i++) {
            mark(1, i + 1, carX[i]);
            int back = Math.floorMod(carX[i] - Integer.signum(carSpeed[i]), SIZE);
            mark(1 + Math.abs(carSpeed[i]), i + 1, back);
        }
    }
}
