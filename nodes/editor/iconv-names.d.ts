/** Every encoding key iconv-lite knows (its canonical names), written into the editor's script by the build. */
declare const names: readonly string[];
export = names;
