// Fannkuch-redux: every permutation of 0..N-1, each "pancake-flipped" (reverse the first
// perm[0]+1 elements) until 0 comes first. Small integer arrays, short data-dependent loops.
#include <stdio.h>

enum { N = 10, REPEAT = 3 };

static int max_flips, checksum;

static void run(int n) {
  int current[16], work[16], countdown[16];
  for (int i = 0; i < n; ++i) current[i] = i;
  int level = n, index = 0;
  max_flips = 0, checksum = 0;
  for (;;) {
    // Reset the counters below the level the last step rotated at.
    for (; level > 1; --level) countdown[level - 1] = level;

    if (current[0] != 0) {
      for (int i = 0; i < n; ++i) work[i] = current[i];
      int flips = 0;
      for (int first = work[0]; first != 0; first = work[0]) {
        for (int lo = 0, hi = first; lo < hi; ++lo, --hi) {
          int t = work[lo];
          work[lo] = work[hi];
          work[hi] = t;
        }
        ++flips;
      }
      if (flips > max_flips) max_flips = flips;
      checksum += (index & 1) ? -flips : flips;
    }

    // Next permutation: rotate the first level+1 elements left by one; when that prefix
    // has gone all the way round, move up a level.
    for (;;) {
      if (level == n) return;
      int head = current[0];
      for (int i = 0; i < level; ++i) current[i] = current[i + 1];
      current[level] = head;
      if (--countdown[level] > 0) break;
      ++level;
    }
    ++index;
  }
}

int main(void) {
  long long total = 0;
  for (int r = 0; r < REPEAT; ++r) {
    run(N);
    total += checksum + max_flips;
  }
  printf("%d %d %lld\n", checksum, max_flips, total);
  return 0;
}
