-- Maps the letter's named blocks (fenced divs with a class) onto the functions of letter.typ,
-- and keeps "..." as three dots: typst would otherwise typeset it as an ellipsis character.
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
  for _, class in ipairs(div.classes) do
    local name = functions[class]
    if name then
      local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", "#" .. name .. "[") })
      blocks:extend(div.content)
      blocks:insert(pandoc.RawBlock("typst", "]"))
      return blocks
    end
  end
end

local function literal_dots(str)
  if not str.text:find("...", 1, true) then
    return nil
  end
  local pieces = pandoc.Inlines({})
  local rest = str.text
  while true do
    local start = rest:find("...", 1, true)
    if not start then break end
    if start > 1 then pieces:insert(pandoc.Str(rest:sub(1, start - 1))) end
    pieces:insert(pandoc.RawInline("typst", "..\\."))
    rest = rest:sub(start + 3)
  end
  if #rest > 0 then pieces:insert(pandoc.Str(rest)) end
  return pieces
end

-- Visiting every word from Lua is slow; only the rare paragraphs that hold "..." are walked.
local function with_literal_dots(block)
  if pandoc.utils.stringify(block):find("...", 1, true) then
    return block:walk({ Str = literal_dots })
  end
end

return {
  { Para = with_literal_dots, Plain = with_literal_dots },
  { Div = typst_call },
}
