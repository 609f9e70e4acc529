package identifier

import "testing"

func TestHybridCheckKnownValues(t *testing.T) {
	tests := []struct {
		name, alphabet, data string
		want                 byte
	}{
		{"MOD 11,10", "0123456789", "1234", '0'},
		{"MOD 27,26", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "ABCD", 'R'},
		{"MOD 37,36", iso7064Alnum, "12CD", '5'},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.alphabet[hybridCheck(tt.data, tt.alphabet)]; got != tt.want {
				t.Fatalf("check of %q = %c, want %c", tt.data, got, tt.want)
			}
			if tt.alphabet == iso7064Alnum && iso7064Alnum[mod37_36(tt.data)] != tt.want {
				t.Fatalf("mod37_36(%q) = %c, want %c", tt.data, iso7064Alnum[mod37_36(tt.data)], tt.want)
			}
		})
	}
}

// TestMod37_36DetectsSingleErrors checks on random serials that every single
// substitution within the serial alphabet is detected, and that adjacent
// transpositions of distinct characters are detected at least 99% of the
// time (the hybrid system misses some pairs; about 0.2% in practice).
func TestMod37_36MatchesHybridCheck(t *testing.T) {
	for range 1000 {
		s := NewSerial()
		if mod37_36(s) != hybridCheck(s, iso7064Alnum) {
			t.Fatalf("mod37_36 and hybridCheck disagree on %s", s)
		}
	}
}

func TestMod37_36DetectsSingleErrors(t *testing.T) {
	var swaps, missed int
	for range 500 {
		s := []byte(NewSerial())
		for i := range s {
			orig := s[i]
			for j := 0; j < len(SerialAlphabet); j++ {
				if s[i] = SerialAlphabet[j]; s[i] != orig && CheckSerial(string(s)) == nil {
					t.Fatalf("substitution at %d went undetected: %s", i, s)
				}
			}
			s[i] = orig
			if i+1 < len(s) && s[i] != s[i+1] {
				s[i], s[i+1] = s[i+1], s[i]
				swaps++
				if CheckSerial(string(s)) == nil {
					missed++
				}
				s[i], s[i+1] = s[i+1], s[i]
			}
		}
	}
	t.Logf("adjacent transpositions missed: %d of %d", missed, swaps)
	if missed*100 > swaps {
		t.Fatalf("adjacent transpositions missed: %d of %d", missed, swaps)
	}
}
