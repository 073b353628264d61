// 0/1 knapsack by the full table best[item][capacity] (static int[ITEMS+1][CAPACITY+1]),
// then the chosen items read back from it; several item sets.
#include <stdio.h>

enum { ITEMS = 400, CAPACITY = 40000, SETS = 160 };

static int best[ITEMS + 1][CAPACITY + 1];
static int weight[ITEMS], value[ITEMS];

int main(void) {
  unsigned seed = 31337;
  unsigned long long checksum = 0;
  long long total_items = 0;
  for (int set = 0; set < SETS; set++) {
    int total_weight = 0;
    for (int i = 0; i < ITEMS; i++) {
      seed = seed * 214013u + 2531011u;
      weight[i] = 1 + (seed >> 16) % 400;
      seed = seed * 214013u + 2531011u;
      value[i] = weight[i] + (seed >> 16) % 300 - 100;
      if (value[i] < 1) value[i] = 1;
      total_weight += weight[i];
    }
    int capacity = total_weight / 3 < CAPACITY ? total_weight / 3 : CAPACITY;
    for (int c = 0; c <= capacity; c++) best[0][c] = 0;
    for (int i = 1; i <= ITEMS; i++) {
      int w = weight[i - 1], v = value[i - 1];
      for (int c = 0; c <= capacity; c++) {
        int skip = best[i - 1][c];
        int take = c >= w ? best[i - 1][c - w] + v : 0;
        best[i][c] = take > skip ? take : skip;
      }
    }
    int c = capacity, chosen = 0, chosen_value = 0;
    for (int i = ITEMS; i > 0; i--)
      if (best[i][c] != best[i - 1][c]) {
        c -= weight[i - 1];
        chosen_value += value[i - 1];
        chosen++;
      }
    if (chosen_value != best[ITEMS][capacity]) {
      printf("inconsistent table\n");
      return 1;
    }
    total_items += chosen;
    checksum = checksum * 131 + chosen_value;
  }
  printf("checksum %llu items %lld\n", checksum, total_items);
  return 0;
}
