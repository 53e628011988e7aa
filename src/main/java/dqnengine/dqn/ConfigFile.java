package dqnengine.dqn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dqnengine.util.BadInput;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The settings of a JSON run config ({@code --config FILE}, or a run's {@code config.json}), read
 * strictly: every name must be a {@link DqnConfig} field ({@code learningStarts}) or the flag's
 * spelling ({@code learning-starts}, {@code --learning-starts}; {@code double} for
 * {@code doubleDqn}), and every value must have the field's type. Anything else is refused with
 * one line that names the file, the setting and, for a misspelt name, the nearest known one.
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** Names people bring from other DQN code, and the setting each means here. */
    private static final Map<String, String> HINTS = Map.ofEntries(
            Map.entry("learningrate", "lr"), Map.entry("learning_rate", "lr"), Map.entry("learning-rate", "lr"),
            Map.entry("discount", "gamma"), Map.entry("buffersize", "replaySize"), Map.entry("buffer_size", "replaySize"),
            Map.entry("buffer-size", "replaySize"), Map.entry("total_timesteps", "steps"), Map.entry("totaltimesteps", "steps"),
            Map.entry("double_dqn", "double"), Map.entry("env_id", "env"));

    private static final Set<String> SPECIAL_DOUBLES = Set.of("NaN", "Infinity", "-Infinity");

    /** The settable fields by name: public, not static. */
    private static final Map<String, Field> FIELDS = new LinkedHashMap<>();
    /** Every accepted spelling (field name, flag spelling) to its field name. */
    private static final Map<String, String> SPELLINGS = new LinkedHashMap<>();

    static {
        for (Field f : DqnConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            FIELDS.put(f.getName(), f);
            SPELLINGS.put(f.getName(), f.getName());
            SPELLINGS.put(kebab(f.getName()), f.getName());
        }
        SPELLINGS.remove("double-dqn");
        SPELLINGS.put("double", "doubleDqn");                  // the flag is --double
    }

    private static String kebab(String camel) {
        StringBuilder b = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) b.append('-').append(Character.toLowerCase(c));
            else b.append(c);
        }
        return b.toString();
    }

    /**
     * Reads {@code json} into values by field name, checked as described above. {@code source}
     * names the file in messages ("config runs/x/config.json").
     */
    public static Map<String, Object> read(String json, String source) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new BadInput(source + ": not valid JSON: " + why);
        }
        if (root == null || root.isJsonNull()) throw new BadInput(source + ": the file is empty");
        if (!root.isJsonObject()) throw new BadInput(source + ": expected a JSON object of settings, {\"name\": value, ...}");
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> spelledAs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : ((JsonObject) root).entrySet()) {
            String key = e.getKey();
            String bare = key.startsWith("--") ? key.substring(2) : key;
            String name = SPELLINGS.get(bare);
            if (name == null) throw new BadInput(source + ": unknown setting \"" + key + "\"" + suggestion(bare));
            String earlier = spelledAs.put(name, key);
            if (earlier != null) throw new BadInput(source + ": \"" + earlier + "\" and \"" + key + "\" set the same thing; give it once");
            values.put(name, convert(FIELDS.get(name), key, e.getValue(), source));
        }
        return values;
    }

    /** Sets {@code values} (from {@link #read}) on {@code cfg}. */
    public static DqnConfig apply(Map<String, Object> values, DqnConfig cfg) {
        try {
            for (Map.Entry<String, Object> v : values.entrySet()) FIELDS.get(v.getKey()).set(cfg, v.getValue());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("DqnConfig's fields are public", e);
        }
        return cfg;
    }

    /** "; did you mean ...?" with the nearest known spelling, or a pointer to the list. */
    static String suggestion(String key) {
        String hint = HINTS.get(key.toLowerCase(Locale.ROOT));
        if (hint != null) return "; did you mean \"" + hint + "\"?";
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : SPELLINGS.keySet()) {
            int d = distance(key.toLowerCase(Locale.ROOT), known.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        if (best != null && bestDistance <= Math.max(2, key.length() / 3)) return "; did you mean \"" + best + "\"?";
        return "; the settings are the names in a run's config.json (lr, batchSize, steps, ...) or the train flags' (learning-starts, ...)";
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(replace, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static Object convert(Field f, String key, JsonElement v, String source) {
        Class<?> t = f.getType();
        if (t == String.class) {
            if (v.isJsonPrimitive() && ((JsonPrimitive) v).isString()) return v.getAsString();
            throw wrong(source, key, "a string", v);
        }
        if (t == boolean.class) {
            if (v.isJsonPrimitive() && ((JsonPrimitive) v).isBoolean()) return v.getAsBoolean();
            throw wrong(source, key, "true or false", v);
        }
        if (t == double.class) {
            if (v.isJsonPrimitive() && ((JsonPrimitive) v).isNumber()) return v.getAsDouble();
            // config.json writes NaN and infinities bare, which the lenient parser reads as strings
            if (v.isJsonPrimitive() && SPECIAL_DOUBLES.contains(v.getAsString())) return Double.parseDouble(v.getAsString());
            throw wrong(source, key, "a number", v);
        }
        if (t == long.class || t == int.class) return whole(v, t == int.class, source, key);
        if (t == int[].class) {
            if (!v.isJsonArray()) throw wrong(source, key, "a list of whole numbers, e.g. [128, 128]", v);
            JsonArray a = v.getAsJsonArray();
            int[] out = new int[a.size()];
            for (int i = 0; i < out.length; i++) out[i] = (Integer) whole(a.get(i), true, source, key + "[" + i + "]");
            return out;
        }
        throw new IllegalStateException("DqnConfig field " + f.getName() + " has a type the config reader does not know: " + t);
    }

    private static Object whole(JsonElement v, boolean isInt, String source, String key) {
        if (!v.isJsonPrimitive() || !((JsonPrimitive) v).isNumber()) throw wrong(source, key, "a whole number", v);
        BigDecimal d;
        try {
            d = v.getAsBigDecimal();
        } catch (NumberFormatException e) {
            throw wrong(source, key, "a whole number", v);
        }
        long n;
        try {
            n = d.stripTrailingZeros().longValueExact();
        } catch (ArithmeticException e) {
            throw wrong(source, key, "a whole number" + (isInt ? " up to " + Integer.MAX_VALUE : ""), v);
        }
        if (isInt) {
            if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) throw wrong(source, key, "a whole number up to " + Integer.MAX_VALUE, v);
            return (int) n;
        }
        return n;
    }

    private static BadInput wrong(String source, String key, String what, JsonElement got) {
        return new BadInput(source + ": \"" + key + "\" must be " + what + ", got " + got);
    }
}
