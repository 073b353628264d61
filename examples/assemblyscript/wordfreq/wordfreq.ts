// wordfreq: the most frequent words of its input, as examples/serve/wordfreq.c, in
// AssemblyScript: a text filter that is also a web endpoint when built with
// `lunaticc --serve` (a fresh process per request, its body on standard input).
//   wordfreq_as < book.txt                              the 10 most frequent words, "count word"
//   curl --data-binary @book.txt 'localhost:8080/?top=3&format=json'
// Served, the query string picks how many words (top=N) and the format (format=json, which
// sets the answer's Content-Type through a CGI header block).
import { Stdin, env, print } from "lunatic-as";

const WORD_MAX = 63;

class Word {
  constructor(readonly text: string, public count: u32) {}
}

function isWordChar(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 39;
}

/** The words of `text`, lower-cased, cut to WORD_MAX characters, with their counts. */
function countWords(text: string): Word[] {
  const counts = new Map<string, Word>();
  const words = new Array<Word>();
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const inWord = i < text.length && isWordChar(text.charCodeAt(i));
    if (inWord && start < 0) start = i;
    if (!inWord && start >= 0) {
      const word = text.substring(start, min(i, start + WORD_MAX)).toLowerCase();
      if (counts.has(word)) {
        counts.get(word).count++;
      } else {
        const entry = new Word(word, 1);
        counts.set(word, entry);
        words.push(entry);
      }
      start = -1;
    }
  }
  return words.sort((a: Word, b: Word): i32 => {
    if (a.count != b.count) return a.count < b.count ? 1 : -1;
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  });
}

/** The value of `key` in a query string "a=1&b=2", or null. */
function parameter(query: string, key: string): string | null {
  const pairs = query.split("&");
  for (let i = 0; i < pairs.length; i++) {
    if (pairs[i].startsWith(key + "=")) return pairs[i].substring(key.length + 1);
  }
  return null;
}

export function _start(): void {
  const words = countWords(Stdin.readAll());
  const queryString = env("QUERY_STRING");
  const query = queryString !== null ? queryString : "";
  let top = 10;
  const topText = parameter(query, "top");
  if (topText !== null) top = I32.parseInt(topText);
  if (top < 0 || top > words.length) top = words.length;
  const format = parameter(query, "format");
  let out = "";
  if (format !== null && format == "json") {
    out = "Content-Type: application/json\n\n[";
    for (let i = 0; i < top; i++) {
      out += (i ? "," : "") + "{\"word\":\"" + words[i].text + "\",\"count\":" + words[i].count.toString() + "}";
    }
    out += "]\n";
  } else {
    for (let i = 0; i < top; i++) out += words[i].count.toString() + " " + words[i].text + "\n";
  }
  print(out);
}
