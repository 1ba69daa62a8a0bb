package gmp.runtime;

/**
 * The GODEBUG settings the runtime honours, parsed the way Go parses them (runtime1.go,
 * parsedebugvars): comma-separated {@code name=value} pairs; unknown names and values that are not
 * integers are ignored.
 *
 * @param schedtrace  print a schedtrace line every this many milliseconds (0: off)
 * @param scheddetail with schedtrace, also print every P, M and G
 */
record GoDebug(int schedtrace, boolean scheddetail) {
    static GoDebug parse(String godebug) {
        int schedtrace = 0;
        int scheddetail = 0;
        if (godebug != null) {
            for (String field : godebug.split(",")) {
                int eq = field.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String name = field.substring(0, eq).trim();
                int value;
                try {
                    value = Integer.parseInt(field.substring(eq + 1).trim());
                } catch (NumberFormatException e) {
                    continue;
                }
                switch (name) {
                    case "schedtrace" -> schedtrace = Math.max(0, value);
                    case "scheddetail" -> scheddetail = value;
                    default -> { }
                }
            }
        }
        return new GoDebug(schedtrace, scheddetail > 0);
    }
}
