package dqnengine.cli;

import dqnengine.env.ale.AleGame;

/** Keyboard state to one of ALE's 18 joystick actions: arrows move, space fires. */
final class HumanControls {
    private HumanControls() {}

    /**
     * The ALE action for the keys held: the names compose, e.g. up + right + fire is UPRIGHTFIRE.
     * Opposite directions cancel.
     */
    static int action(boolean up, boolean down, boolean left, boolean right, boolean fire) {
        String vertical = up == down ? "" : up ? "UP" : "DOWN";
        String horizontal = left == right ? "" : right ? "RIGHT" : "LEFT";
        String name = vertical + horizontal + (fire ? "FIRE" : "");
        return name.isEmpty() ? 0 : AleGame.ACTION_NAMES.indexOf(name);
    }
}
