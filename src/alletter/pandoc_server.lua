-- A long-lived pandoc for alletter: reads one JSON request per line on stdin, answers each with a
-- JSON header line and then the converted documents' bytes, one after another, on stdout.
--
-- Starting pandoc costs more than converting a letter, so one process serves many letters, and
-- a letter is read once for all the formats asked of it.
-- Request:  {"markdown": "...", "reader": "markdown-smart-...",
--            "outputs": [{"to": "docx" | "typst-smart", "reference_doc": path?, "template": path?,
--                         "filter": path?, "metadata": {k: string}, "variables": {k: string}}]}
-- Answer:   {"ok": true, "bytes": [N1, N2, ...]} then the documents, or {"ok": false, "error": "..."}
local json = pandoc.json

local function read_file(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("a")
  file:close()
  return text
end

local cache = { templates = {}, filters = {} }

local function compiled_template(path)
  cache.templates[path] = cache.templates[path] or pandoc.template.compile(read_file(path), path)
  return cache.templates[path]
end

-- A filter file returns a list of filter tables, applied in order; loaded once per process.
local function filter_list(path)
  cache.filters[path] = cache.filters[path] or dofile(path)
  return cache.filters[path]
end

local function write(doc, output)
  for key, value in pairs(output.metadata or {}) do
    doc.meta[key] = pandoc.MetaString(value)
  end
  if output.filter then
    for _, filter in ipairs(filter_list(output.filter)) do
      doc = doc:walk(filter)
    end
  end
  local options = { variables = output.variables or {}, wrap_text = "wrap-none" }
  if output.template then
    options.template = compiled_template(output.template)
  end
  if output.reference_doc then
    options.reference_doc = output.reference_doc
  end
  return pandoc.write(doc, output.to, options)
end

-- The letter's top-level blocks: paragraphs, lists and whole ::: fenced divs (which may hold
-- blank lines), each ending at a blank line outside any fence.
local function top_level_chunks(markdown)
  local chunks, current, depth = {}, {}, 0
  for line in (markdown .. "\n"):gmatch("(.-)\n") do
    if line:match("^:::+%s*$") and depth > 0 then
      depth = depth - 1
    elseif line:match("^:::+%s*[%w{]") then
      depth = depth + 1
    end
    if line:match("^%s*$") and depth == 0 then
      if #current > 0 then
        chunks[#chunks + 1] = table.concat(current, "\n")
        current = {}
      end
    else
      current[#current + 1] = line
    end
  end
  if #current > 0 then chunks[#chunks + 1] = table.concat(current, "\n") end
  return chunks
end

-- Most of a letter is boilerplate shared by every letter: each distinct block is parsed once.
local MAX_CACHED_CHUNKS = 20000
local parsed_chunks, cached_count = {}, 0

local function read_letter(markdown, reader)
  local blocks = pandoc.Blocks({})
  for _, chunk in ipairs(top_level_chunks(markdown)) do
    local parsed = parsed_chunks[chunk]
    if not parsed then
      -- An empty read environment: the reader runs sandboxed and can open no file.
      parsed = pandoc.read(chunk, reader, {}, {}).blocks
      if cached_count >= MAX_CACHED_CHUNKS then
        parsed_chunks, cached_count = {}, 0
      end
      parsed_chunks[chunk], cached_count = parsed, cached_count + 1
    end
    blocks:extend(parsed)
  end
  return pandoc.Pandoc(blocks)
end

local function convert(request)
  local doc = read_letter(request.markdown, request.reader)
  local documents, sizes = {}, {}
  for index, output in ipairs(request.outputs) do
    documents[index] = write(doc:clone(), output)
    sizes[index] = #documents[index]
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
end
