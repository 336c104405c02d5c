-- Maps the letter's named blocks (fenced divs with a class) onto the functions of letter.typ
-- (a block marked `keep-with-next` stays on the page of the block after it: `sticky`), and keeps "...", "--", "-?" and "-1" as typed: typst would otherwise read them as shorthands.
local functions = {
  ["letter-header"] = "letter-header",
  ["reference"] = "reference",
  ["date"] = "letter-date",
  ["address"] = "address",
  ["salutation"] = "salutation",
  ["signature"] = "signature",
  ["annex"] = "annex",
  ["annex-label"] = "annex-label",
  ["annex-title"] = "annex-title",
}

local function typst_call(div)
  local kept = div.classes:includes("keep-with-next")
  local call = kept and "#kept" or nil
  for _, class in ipairs(div.classes) do
    if functions[class] then
      call = "#" .. functions[class] .. (kept and "(sticky: true)" or "")
      break
    end
  end
  if call then
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", call .. "[") })
    blocks:extend(div.content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
end

-- typst reads some runs of characters in text as shorthands: "..." (an ellipsis), "--" and "---"
-- (dashes), "-?" (a soft hyphen, invisible) and "-1" (a minus sign). pandoc's typst writer leaves
-- them, so a word holding one is written as raw typst with every punctuation mark escaped.
local function has_shorthand(text)
  return text:find("...", 1, true) or text:find("%-[%-%?%d]")
end

-- A hyphenated word ("self-generated", "(K-Brooks),") never breaks across lines, so the PDF's
-- text reads as the letter was written: the whole word, with the punctuation around it, goes into
-- a typst box. (A typst `show regex(...)` rule would do the same but costs every letter a third
-- of its compile time.) Lua patterns know no Unicode classes: every byte of a non-ASCII character
-- counts as a letter, which at worst keeps a rare pair of words joined by a non-ASCII dash on one line.
local function has_hyphenated_word(text)
  return text:find("[%w\128-\255]%-[%w\128-\255]")
end

-- Every punctuation mark escaped: typst reads what remains as plain text.
local function escaped(text)
  return (text:gsub("%p", "\\%0"))
end

local function literal_word(str)
  if has_hyphenated_word(str.text) then
    return pandoc.RawInline("typst", "#box[" .. escaped(str.text) .. "]")
  elseif has_shorthand(str.text) then
    return pandoc.RawInline("typst", escaped(str.text))
  end
end

-- At the start of a line typst reads "/" as a term, "+" and "-" as list items, "=" as a heading
-- and "1." as a numbered item. pandoc's typst writer escapes them at the start of a paragraph
-- but not inside a list item ("+ + x"), so a paragraph's first word that starts with one is
-- written as raw typst with every punctuation mark escaped.
local function with_literal_line_start(block)
  local first = block.content[1]
  if first and first.t == "Str" and (first.text:find("^[/+=%-]") or first.text:find("^%d+%.")) then
    block.content[1] = pandoc.RawInline("typst", escaped(first.text))
    return block
  end
end

-- One walk (pandoc's walks cost more than what the functions do): every word first, then the
-- blocks from the inside out, so a paragraph's words are literal before its line start is looked
-- at, and a named block's paragraphs before it becomes a call.
return {
  { Str = literal_word, Para = with_literal_line_start, Plain = with_literal_line_start, Div = typst_call },
}
