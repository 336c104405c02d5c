-- A long-lived pandoc for alletter: reads one JSON request per line on stdin, answers each with a
-- JSON header line and then the converted documents' bytes, one after another, on stdout.
--
-- Starting pandoc, and each DOCX it writes, has a fixed cost larger than converting a letter, so
-- one process serves many letters, and a request carries a batch of letters, each cut by the
-- caller into its top-level blocks ("chunks"). Most chunks are boilerplate shared by every letter:
-- each distinct chunk is read once, and its typst written once, and the caller puts each letter's
-- typst together (convert.py); for DOCX, the chunks the caller has not seen yet all go into ONE DOCX, separated by
-- marker paragraphs, which the caller cuts apart, keeps, and assembles into letters (docx_package.py).
-- Request:  {"reader": "markdown-smart-...", "separator": "<marker text>",
--            "letters": [{"chunks": ["...", ...], "metadata": {k: string}, "variables": {k: string}}],
--            "docx": {"reference_doc": path?, "chunks": ["...", ...]} | absent,
--            "typst": {"to": "typst-smart", "template": path, "filter": path, "body_marker": "..."} | absent}
-- Answer:   {"ok": true, "bytes": [sizes]} then the documents: the DOCX, if asked for; with typst,
--           each letter's page (the body marker where its blocks go) and then the typst of each
--           distinct chunk, in the order the letters first name them; or {"ok": false, "error": "..."}
local json = pandoc.json

local function read_file(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("a")
  file:close()
  return text
end

local cache = { templates = {}, filters = {} }

-- A bounded cache that keeps what recurs (the boilerplate) and forgets what does not (each
-- letter's own paragraphs): when the young generation is full it becomes the old one and the
-- previous old one is dropped; a hit in the old generation moves back to the young one.
local function generational_cache(capacity)
  local young, old, count = {}, {}, 0
  local self = {}
  function self.put(key, value)
    if count >= capacity then
      young, old, count = {}, young, 0
    end
    if young[key] == nil then count = count + 1 end
    young[key] = value
  end
  function self.get(key)
    local value = young[key]
    if value == nil then
      value = old[key]
      if value ~= nil then self.put(key, value) end
    end
    return value
  end
  return self
end
local CACHED_CHUNKS = 150

local function compiled_template(path)
  cache.templates[path] = cache.templates[path] or pandoc.template.compile(read_file(path), path)
  return cache.templates[path]
end

-- A filter file returns a list of filter tables, applied in order; loaded once per process.
local function filter_list(path)
  cache.filters[path] = cache.filters[path] or dofile(path)
  return cache.filters[path]
end

-- Each pandoc.read or pandoc.write call costs ≈1.5 ms whatever its size, more than a paragraph
-- does; so the blocks a request needs that no earlier request had are read in ONE call and
-- written in ONE call, separated by marker paragraphs, and cut apart again.
local function is_separator(block, separator)
  return block.t == "Para" and #block.content == 1 and block.content[1].t == "Str"
    and block.content[1].text == separator
end

-- Blocks with separator paragraphs between the groups, and back.
local function joined_blocks(groups, separator)
  local blocks = pandoc.Blocks({})
  for index, group in ipairs(groups) do
    if index > 1 then blocks:insert(pandoc.Para({ pandoc.Str(separator) })) end
    blocks:extend(group)
  end
  return blocks
end

local function split_blocks(blocks, separator)
  local groups, current = {}, pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    if is_separator(block, separator) then
      groups[#groups + 1], current = current, pandoc.Blocks({})
    else
      current:insert(block)
    end
  end
  groups[#groups + 1] = current
  return groups
end

local function split_text(text, separator)
  local pieces, start = {}, 1
  while true do
    local found, stop = text:find(separator, start, true)
    local piece = text:sub(start, (found or 0) - 1):gsub("^%s+", ""):gsub("%s+$", "")
    pieces[#pieces + 1] = piece .. "\n"
    if not found then return pieces end
    start = stop + 1
  end
end

-- typst is written per top-level block, each distinct block once, and the page template applied
-- around the result: the filters and the typst writer see blocks, never a whole letter.
local written_typst = generational_cache(CACHED_CHUNKS)

local function filtered(doc, options)
  for _, filter in ipairs(filter_list(options.filter)) do
    doc = doc:walk(filter)
  end
  return doc
end

-- The typst of each chunk, all written in one call.
local function write_typst_blocks(chunks, options, separator)
  local writer_options = { wrap_text = "wrap-none" }
  local groups = {}
  for index, chunk in ipairs(chunks) do groups[index] = chunk.blocks end
  local doc = filtered(pandoc.Pandoc(joined_blocks(groups, separator)), options)
  local pieces = split_text(pandoc.write(doc, options.to, writer_options), separator)
  if #pieces ~= #chunks then -- a block that swallowed its separator: write one by one
    for index, group in ipairs(groups) do
      pieces[index] = pandoc.write(filtered(pandoc.Pandoc(group), options), options.to, writer_options)
    end
  end
  return pieces
end

-- The typst of every chunk of these letters, by chunk text: from the cache or written now.
local function typst_of_chunks(letters_chunks, options, separator)
  local known, new = {}, {}
  for _, chunks in ipairs(letters_chunks) do
    for _, chunk in ipairs(chunks) do
      if known[chunk.text] == nil then
        known[chunk.text] = written_typst.get(chunk.text) or false
        if not known[chunk.text] then new[#new + 1] = chunk end
      end
    end
  end
  if #new > 0 then
    for index, written in ipairs(write_typst_blocks(new, options, separator)) do
      known[new[index].text] = written
      written_typst.put(new[index].text, written)
    end
  end
  return known
end

-- The page around a letter, with `marker` where its blocks go: the caller puts them there.
-- (pandoc's template engine would lay out the body too, ten times the cost of the rest.)
local function write_page(letter, options)
  local context = { body = options.body_marker }
  for key, value in pairs(letter.variables or {}) do
    context[key] = value
  end
  for key, value in pairs(letter.metadata or {}) do
    context[key] = value
  end
  return pandoc.layout.render(pandoc.template.apply(compiled_template(options.template), context))
end

local function write_docx(texts, parsed, separator, options)
  local groups = {}
  for index, text in ipairs(texts) do
    groups[index] = parsed[text]
  end
  local doc = pandoc.Pandoc(joined_blocks(groups, separator))
  return pandoc.write(doc, "docx", { reference_doc = options.reference_doc })
end

-- Most of a letter is boilerplate shared by every letter: each distinct block is parsed once,
-- and the new blocks of a request all in one read.
local parsed_chunks = generational_cache(CACHED_CHUNKS)

local function read_new_chunks(texts, reader, separator)
  -- An empty read environment: the reader runs sandboxed and can open no file.
  local joined = table.concat(texts, "\n\n" .. separator .. "\n\n")
  local groups = split_blocks(pandoc.read(joined, reader, {}, {}).blocks, separator)
  if #groups ~= #texts then -- a block that swallowed its separator: read one by one
    for index, text in ipairs(texts) do
      groups[index] = pandoc.read(text, reader, {}, {}).blocks
    end
  end
  return groups
end

-- Each letter as a list of {text = its Markdown, blocks = what pandoc read from it}, and the
-- blocks of every chunk by its text.
local function read_letters(letters, reader, separator)
  local letters_texts, known, new = {}, {}, {}
  for index, letter in ipairs(letters) do
    letters_texts[index] = letter.chunks
    for _, text in ipairs(letters_texts[index]) do
      if known[text] == nil then
        known[text] = parsed_chunks.get(text) or false
        if not known[text] then new[#new + 1] = text end
      end
    end
  end
  if #new > 0 then
    for index, blocks in ipairs(read_new_chunks(new, reader, separator)) do
      known[new[index]] = blocks
      parsed_chunks.put(new[index], blocks)
    end
  end
  local letters_chunks = {}
  for index, texts in ipairs(letters_texts) do
    local chunks = {}
    for position, text in ipairs(texts) do
      chunks[position] = { text = text, blocks = known[text] }
    end
    letters_chunks[index] = chunks
  end
  return letters_chunks, known
end

local function convert(request)
  local letter_docs, parsed = read_letters(request.letters, request.reader, request.separator)
  local documents = {}
  if request.docx then
    documents[#documents + 1] = write_docx(request.docx.chunks, parsed, request.separator, request.docx)
  end
  if request.typst then
    for _, letter in ipairs(request.letters) do
      documents[#documents + 1] = write_page(letter, request.typst)
    end
    local typst_of, written = typst_of_chunks(letter_docs, request.typst, request.separator), {}
    for _, chunks in ipairs(letter_docs) do
      for _, chunk in ipairs(chunks) do
        if not written[chunk.text] then
          written[chunk.text] = true
          documents[#documents + 1] = typst_of[chunk.text]
        end
      end
    end
  end
  local sizes = {}
  for index, document in ipairs(documents) do
    sizes[index] = #document
  end
  return documents, sizes
end

for line in io.stdin:lines() do
  local ok, documents, sizes = pcall(function() return convert(json.decode(line)) end)
  if ok then
    io.stdout:write(json.encode({ ok = true, bytes = sizes }), "\n", table.concat(documents))
  else
    io.stdout:write(json.encode({ ok = false, error = tostring(documents) }), "\n")
  end
  io.stdout:flush()
  collectgarbage()
end
