package profile

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// ReadEnvFile parses network/.run/env: KEY=value lines, an optional
// "export " prefix, optional surrounding quotes, # comments.
func ReadEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	defer f.Close()
	env := make(map[string]string)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		if n := len(value); n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n-1] == value[0] {
			value = value[1 : n-1]
		}
		env[strings.TrimSpace(key)] = value
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read env file: %w", err)
	}
	return env, nil
}

// KeyVar is the env variable holding a user's API key:
// maker-operator → IDCHAIN_KEY_MAKER_OPERATOR.
func KeyVar(user string) string {
	return "IDCHAIN_KEY_" + strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(user))
}
