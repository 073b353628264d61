// Levenshtein edit distance by the full dynamic-programming table (static int[L+1][L+1])
// between pairs of generated DNA-like strings, one a mutated copy of the other.
#include <stdio.h>
#include <string.h>

enum { L = 2000, PAIRS = 130 };

static int d[L + 1][L + 1];
static char s[L + 1], t[L + 1];
static unsigned long long rng = 88172645463325252ull;

static unsigned next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng >> 32);
}

static int min3(int a, int b, int c) {
  int m = a < b ? a : b;
  return m < c ? m : c;
}

static int edit_distance(const char* a, int n, const char* b, int m) {
  for (int i = 0; i <= n; i++) d[i][0] = i;
  for (int j = 0; j <= m; j++) d[0][j] = j;
  for (int i = 1; i <= n; i++)
    for (int j = 1; j <= m; j++)
      d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]));
  return d[n][m];
}

int main(void) {
  static const char kBases[4] = {'A', 'C', 'G', 'T'};
  long long total = 0;
  for (int p = 0; p < PAIRS; p++) {
    int n = L - (int)(next_random() % 200);
    for (int i = 0; i < n; i++) s[i] = kBases[next_random() % 4];
    int m = 0;
    for (int i = 0; i < n && m < L; i++) {  // copy with substitutions, deletions, insertions
      unsigned r = next_random() % 100;
      if (r < 4) continue;
      if (r < 8) t[m++] = kBases[next_random() % 4];
      if (m < L) t[m++] = r < 14 ? kBases[next_random() % 4] : s[i];
    }
    total += edit_distance(s, n, t, m) * (long long)(p + 1);
  }
  printf("weighted distances %lld\n", total);
  return 0;
}
