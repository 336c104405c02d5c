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

function Div(div)
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

function Str(str)
  if str.text:find("...", 1, true) then
    local pieces = pandoc.List()
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
end
