(module
 (type $0 (func (param f32 i32) (result f32)))
 (type $1 (func (param i32 i32 i32 f32 i32)))
 (type $2 (func (param v128 i32 f32) (result f32)))
 (type $3 (func (param i32) (result i32)))
 (type $4 (func (param i32 i32 i32 i32 i32 f32 i32 i32 i32 i32) (result i32)))
 (type $5 (func (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
 (type $6 (func (param i32 i32) (result i32)))
 (type $7 (func (result i32)))
 (global $shared/scoring/kernel/scorer/gHs (mut i32) (i32.const 0))
 (global $shared/scoring/kernel/scorer/gHi (mut i32) (i32.const 0))
 (global $shared/scoring/kernel/scorer/gCap (mut i32) (i32.const 0))
 (global $shared/scoring/kernel/scorer/gSize (mut i32) (i32.const 0))
 (global $shared/scoring/kernel/scorer/gExcl (mut i32) (i32.const 0))
 (memory $0 0)
 (export "heapBase" (func $shared/scoring/kernel/scorer/heapBase))
 (export "topF32" (func $shared/scoring/kernel/scorer/topF32))
 (export "topI8" (func $shared/scoring/kernel/scorer/topI8))
 (export "readProbe" (func $shared/scoring/kernel/scorer/readProbe))
 (export "memory" (memory $0))
 (func $shared/scoring/kernel/scorer/offer (param $0 f32) (param $1 i32) (result f32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  (local $5 i32)
  (local $6 f32)
  (local $7 i32)
  global.get $shared/scoring/kernel/scorer/gExcl
  local.get $1
  i32.const 3
  i32.shr_u
  i32.add
  i32.load8_u
  local.get $1
  i32.const 7
  i32.and
  i32.shr_s
  i32.const 1
  i32.and
  i32.eqz
  if
   global.get $shared/scoring/kernel/scorer/gSize
   global.get $shared/scoring/kernel/scorer/gCap
   i32.lt_s
   if
    global.get $shared/scoring/kernel/scorer/gHs
    local.set $4
    global.get $shared/scoring/kernel/scorer/gHi
    local.set $5
    global.get $shared/scoring/kernel/scorer/gSize
    local.set $2
    local.get $1
    local.set $3
    loop $while-continue|0
     local.get $2
     i32.const 0
     i32.gt_s
     if
      block $while-break|0
       local.get $2
       i32.const 1
       i32.sub
       i32.const 1
       i32.shr_s
       local.tee $1
       i32.const 2
       i32.shl
       local.tee $7
       local.get $4
       i32.add
       f32.load
       local.set $6
       local.get $5
       local.get $7
       i32.add
       i32.load
       local.tee $7
       local.get $3
       i32.lt_s
       local.get $0
       local.get $6
       f32.eq
       i32.and
       local.get $0
       local.get $6
       f32.lt
       i32.or
       i32.eqz
       br_if $while-break|0
       local.get $2
       i32.const 2
       i32.shl
       local.tee $2
       local.get $4
       i32.add
       local.get $6
       f32.store
       local.get $2
       local.get $5
       i32.add
       local.get $7
       i32.store
       local.get $1
       local.set $2
       br $while-continue|0
      end
     end
    end
    local.get $2
    i32.const 2
    i32.shl
    local.tee $1
    local.get $4
    i32.add
    local.get $0
    f32.store
    local.get $1
    local.get $5
    i32.add
    local.get $3
    i32.store
    global.get $shared/scoring/kernel/scorer/gSize
    i32.const 1
    i32.add
    global.set $shared/scoring/kernel/scorer/gSize
   else
    local.get $0
    global.get $shared/scoring/kernel/scorer/gHs
    f32.load
    f32.gt
    if
     global.get $shared/scoring/kernel/scorer/gHs
     global.get $shared/scoring/kernel/scorer/gHi
     global.get $shared/scoring/kernel/scorer/gSize
     local.get $0
     local.get $1
     call $shared/scoring/kernel/scorer/siftDown
    end
   end
  end
  global.get $shared/scoring/kernel/scorer/gSize
  global.get $shared/scoring/kernel/scorer/gCap
  i32.lt_s
  if (result f32)
   f32.const -inf
  else
   global.get $shared/scoring/kernel/scorer/gHs
   f32.load
  end
 )
 (func $shared/scoring/kernel/scorer/siftDown (param $0 i32) (param $1 i32) (param $2 i32) (param $3 f32) (param $4 i32)
  (local $5 i32)
  (local $6 i32)
  (local $7 i32)
  (local $8 i32)
  (local $9 f32)
  (local $10 f32)
  (local $11 i32)
  loop $while-continue|0
   block $while-break|0
    local.get $6
    i32.const 1
    i32.shl
    i32.const 1
    i32.add
    local.tee $7
    local.get $2
    i32.ge_s
    br_if $while-break|0
    local.get $7
    i32.const 2
    i32.shl
    local.tee $5
    local.get $0
    i32.add
    f32.load
    local.set $9
    local.get $1
    local.get $5
    i32.add
    i32.load
    local.set $8
    local.get $7
    i32.const 1
    i32.add
    local.tee $11
    local.get $2
    i32.lt_s
    if (result i32)
     local.get $11
     i32.const 2
     i32.shl
     local.tee $5
     local.get $0
     i32.add
     f32.load
     local.set $10
     local.get $1
     local.get $5
     i32.add
     i32.load
     local.tee $5
     local.get $8
     i32.gt_s
     local.get $9
     local.get $10
     f32.eq
     i32.and
     local.get $9
     local.get $10
     f32.gt
     i32.or
     if (result i32)
      local.get $10
      local.set $9
      local.get $5
      local.set $8
      local.get $11
     else
      local.get $7
     end
    else
     local.get $7
    end
    local.get $4
    local.get $8
    i32.lt_s
    local.get $3
    local.get $9
    f32.eq
    i32.and
    local.get $3
    local.get $9
    f32.gt
    i32.or
    i32.eqz
    br_if $while-break|0
    local.get $6
    i32.const 2
    i32.shl
    local.tee $6
    local.get $0
    i32.add
    local.get $9
    f32.store
    local.get $1
    local.get $6
    i32.add
    local.get $8
    i32.store
    local.set $6
    br $while-continue|0
   end
  end
  local.get $0
  local.get $6
  i32.const 2
  i32.shl
  local.tee $0
  i32.add
  local.get $3
  f32.store
  local.get $0
  local.get $1
  i32.add
  local.get $4
  i32.store
 )
 (func $shared/scoring/kernel/scorer/offer4 (param $0 v128) (param $1 i32) (param $2 f32) (result f32)
  (local $3 f32)
  (local $4 f32)
  (local $5 f32)
  (local $6 f32)
  local.get $0
  f32x4.extract_lane 0
  local.tee $3
  local.get $2
  f32.gt
  if
   local.get $3
   local.get $1
   call $shared/scoring/kernel/scorer/offer
   local.set $2
  end
  local.get $2
  local.get $0
  f32x4.extract_lane 1
  local.tee $4
  f32.lt
  if
   local.get $4
   local.get $1
   i32.const 1
   i32.add
   call $shared/scoring/kernel/scorer/offer
   local.set $2
  end
  local.get $2
  local.get $0
  f32x4.extract_lane 2
  local.tee $5
  f32.lt
  if
   local.get $5
   local.get $1
   i32.const 2
   i32.add
   call $shared/scoring/kernel/scorer/offer
   local.set $2
  end
  local.get $2
  local.get $0
  f32x4.extract_lane 3
  local.tee $6
  f32.lt
  if (result f32)
   local.get $6
   local.get $1
   i32.const 3
   i32.add
   call $shared/scoring/kernel/scorer/offer
  else
   local.get $2
  end
 )
 (func $shared/scoring/kernel/scorer/drain (param $0 i32) (result i32)
  (local $1 i32)
  (local $2 i32)
  (local $3 i32)
  (local $4 i32)
  local.get $0
  global.get $shared/scoring/kernel/scorer/gCap
  i32.const 2
  i32.shl
  i32.add
  local.set $2
  global.get $shared/scoring/kernel/scorer/gSize
  local.tee $3
  i32.const 1
  i32.sub
  local.set $1
  loop $for-loop|0
   local.get $1
   i32.const 0
   i32.ge_s
   if
    local.get $1
    i32.const 2
    i32.shl
    local.tee $4
    local.get $0
    i32.add
    global.get $shared/scoring/kernel/scorer/gHi
    i32.load
    i32.store
    local.get $2
    local.get $4
    i32.add
    global.get $shared/scoring/kernel/scorer/gHs
    f32.load
    f32.store
    global.get $shared/scoring/kernel/scorer/gSize
    i32.const 1
    i32.sub
    global.set $shared/scoring/kernel/scorer/gSize
    global.get $shared/scoring/kernel/scorer/gSize
    i32.const 0
    i32.gt_s
    if
     global.get $shared/scoring/kernel/scorer/gHs
     global.get $shared/scoring/kernel/scorer/gHi
     global.get $shared/scoring/kernel/scorer/gSize
     global.get $shared/scoring/kernel/scorer/gSize
     i32.const 2
     i32.shl
     local.tee $4
     global.get $shared/scoring/kernel/scorer/gHs
     i32.add
     f32.load
     global.get $shared/scoring/kernel/scorer/gHi
     local.get $4
     i32.add
     i32.load
     call $shared/scoring/kernel/scorer/siftDown
    end
    local.get $1
    i32.const 1
    i32.sub
    local.set $1
    br $for-loop|0
   end
  end
  local.get $3
 )
 (func $shared/scoring/kernel/scorer/topI8 (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 f32) (param $6 i32) (param $7 i32) (param $8 i32) (param $9 i32) (result i32)
  (local $10 f32)
  (local $11 v128)
  (local $12 i32)
  (local $13 v128)
  (local $14 v128)
  (local $15 v128)
  (local $16 v128)
  (local $17 v128)
  (local $18 v128)
  (local $19 v128)
  (local $20 v128)
  (local $21 f32)
  (local $22 i32)
  (local $23 i32)
  (local $24 i32)
  (local $25 i32)
  local.get $8
  global.set $shared/scoring/kernel/scorer/gHs
  local.get $8
  local.get $6
  i32.const 2
  i32.shl
  i32.add
  global.set $shared/scoring/kernel/scorer/gHi
  local.get $6
  global.set $shared/scoring/kernel/scorer/gCap
  i32.const 0
  global.set $shared/scoring/kernel/scorer/gSize
  local.get $7
  global.set $shared/scoring/kernel/scorer/gExcl
  f32.const -inf
  local.set $10
  local.get $3
  i32.const 31
  i32.and
  i32.eqz
  if
   local.get $5
   f32x4.splat
   local.set $20
   loop $for-loop|0
    local.get $12
    i32.const 4
    i32.add
    local.get $2
    i32.le_s
    if
     local.get $0
     local.get $3
     local.get $12
     i32.mul
     i32.add
     local.tee $8
     local.get $3
     i32.add
     local.tee $22
     local.get $3
     i32.add
     local.tee $23
     local.get $3
     i32.add
     local.set $24
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $11
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $13
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $14
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $15
     i32.const 0
     local.set $6
     loop $for-loop|1
      local.get $3
      local.get $6
      i32.gt_u
      if
       local.get $11
       local.get $4
       local.get $6
       i32.const 1
       i32.shl
       i32.add
       local.tee $25
       v128.load
       local.tee $16
       local.get $6
       local.get $8
       i32.add
       local.tee $7
       v128.load8x8_s align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $25
       v128.load offset=16
       local.tee $17
       local.get $7
       v128.load8x8_s offset=8 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $25
       v128.load offset=32
       local.tee $18
       local.get $7
       v128.load8x8_s offset=16 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $25
       v128.load offset=48
       local.tee $19
       local.get $7
       v128.load8x8_s offset=24 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.set $11
       local.get $13
       local.get $16
       local.get $6
       local.get $22
       i32.add
       local.tee $7
       v128.load8x8_s align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $17
       local.get $7
       v128.load8x8_s offset=8 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $18
       local.get $7
       v128.load8x8_s offset=16 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $19
       local.get $7
       v128.load8x8_s offset=24 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.set $13
       local.get $14
       local.get $16
       local.get $6
       local.get $23
       i32.add
       local.tee $7
       v128.load8x8_s align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $17
       local.get $7
       v128.load8x8_s offset=8 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $18
       local.get $7
       v128.load8x8_s offset=16 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $19
       local.get $7
       v128.load8x8_s offset=24 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.set $14
       local.get $15
       local.get $16
       local.get $6
       local.get $24
       i32.add
       local.tee $7
       v128.load8x8_s align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $17
       local.get $7
       v128.load8x8_s offset=8 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $18
       local.get $7
       v128.load8x8_s offset=16 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.get $19
       local.get $7
       v128.load8x8_s offset=24 align=1
       i32x4.dot_i16x8_s
       i32x4.add
       local.set $15
       local.get $6
       i32.const 32
       i32.add
       local.set $6
       br $for-loop|1
      end
     end
     local.get $11
     local.get $13
     i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
     local.get $11
     local.get $13
     i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
     i32x4.add
     local.tee $11
     local.get $14
     local.get $15
     i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
     local.get $14
     local.get $15
     i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
     i32x4.add
     local.tee $13
     i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
     local.get $11
     local.get $13
     i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
     i32x4.add
     f32x4.convert_i32x4_s
     local.get $1
     local.get $12
     i32.const 2
     i32.shl
     i32.add
     v128.load
     local.get $20
     f32x4.mul
     f32x4.mul
     local.tee $11
     local.get $10
     f32x4.splat
     f32x4.gt
     v128.any_true
     if
      local.get $11
      local.get $12
      local.get $10
      call $shared/scoring/kernel/scorer/offer4
      local.set $10
     end
     local.get $12
     i32.const 4
     i32.add
     local.set $12
     br $for-loop|0
    end
   end
  end
  loop $for-loop|2
   local.get $2
   local.get $12
   i32.gt_s
   if
    local.get $0
    local.get $3
    local.get $12
    i32.mul
    i32.add
    local.set $8
    i32.const 0
    local.set $7
    local.get $3
    i32.const -16
    i32.and
    local.set $6
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $11
    loop $for-loop|00
     local.get $6
     local.get $7
     i32.gt_s
     if
      local.get $11
      local.get $4
      local.get $7
      i32.const 1
      i32.shl
      i32.add
      local.tee $22
      v128.load
      local.get $7
      local.get $8
      i32.add
      local.tee $23
      v128.load8x8_s align=1
      i32x4.dot_i16x8_s
      i32x4.add
      local.get $22
      v128.load offset=16
      local.get $23
      i32.const 8
      i32.add
      v128.load8x8_s align=1
      i32x4.dot_i16x8_s
      i32x4.add
      local.set $11
      local.get $7
      i32.const 16
      i32.add
      local.set $7
      br $for-loop|00
     end
    end
    local.get $11
    i32x4.extract_lane 0
    local.get $11
    i32x4.extract_lane 1
    i32.add
    local.get $11
    i32x4.extract_lane 2
    i32.add
    local.get $11
    i32x4.extract_lane 3
    i32.add
    local.set $7
    loop $for-loop|11
     local.get $3
     local.get $6
     i32.gt_s
     if
      local.get $7
      local.get $4
      local.get $6
      i32.const 1
      i32.shl
      i32.add
      i32.load16_s
      local.get $6
      local.get $8
      i32.add
      i32.load8_s
      i32.mul
      i32.add
      local.set $7
      local.get $6
      i32.const 1
      i32.add
      local.set $6
      br $for-loop|11
     end
    end
    local.get $7
    f32.convert_i32_s
    local.get $1
    local.get $12
    i32.const 2
    i32.shl
    i32.add
    f32.load
    local.get $5
    f32.mul
    f32.mul
    local.tee $21
    local.get $10
    f32.gt
    if
     local.get $21
     local.get $12
     call $shared/scoring/kernel/scorer/offer
     local.set $10
    end
    local.get $12
    i32.const 1
    i32.add
    local.set $12
    br $for-loop|2
   end
  end
  local.get $9
  call $shared/scoring/kernel/scorer/drain
 )
 (func $shared/scoring/kernel/scorer/topF32 (param $0 i32) (param $1 i32) (param $2 i32) (param $3 i32) (param $4 i32) (param $5 i32) (param $6 i32) (param $7 i32) (result i32)
  (local $8 f32)
  (local $9 v128)
  (local $10 i32)
  (local $11 v128)
  (local $12 v128)
  (local $13 v128)
  (local $14 f32)
  (local $15 v128)
  (local $16 v128)
  (local $17 v128)
  (local $18 v128)
  (local $19 i32)
  (local $20 i32)
  (local $21 i32)
  (local $22 i32)
  (local $23 i32)
  local.get $6
  global.set $shared/scoring/kernel/scorer/gHs
  local.get $6
  local.get $4
  i32.const 2
  i32.shl
  i32.add
  global.set $shared/scoring/kernel/scorer/gHi
  local.get $4
  global.set $shared/scoring/kernel/scorer/gCap
  i32.const 0
  global.set $shared/scoring/kernel/scorer/gSize
  local.get $5
  global.set $shared/scoring/kernel/scorer/gExcl
  local.get $2
  i32.const 2
  i32.shl
  local.set $5
  f32.const -inf
  local.set $8
  local.get $2
  i32.const 15
  i32.and
  i32.eqz
  if
   loop $for-loop|0
    local.get $10
    i32.const 4
    i32.add
    local.get $1
    i32.le_s
    if
     local.get $0
     local.get $5
     local.get $10
     i32.mul
     i32.add
     local.tee $6
     local.get $5
     i32.add
     local.tee $20
     local.get $5
     i32.add
     local.tee $21
     local.get $5
     i32.add
     local.set $22
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $9
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $11
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $12
     v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
     local.set $13
     i32.const 0
     local.set $4
     loop $for-loop|1
      local.get $4
      local.get $5
      i32.lt_u
      if
       local.get $9
       local.get $3
       local.get $4
       i32.add
       local.tee $23
       v128.load
       local.tee $15
       local.get $4
       local.get $6
       i32.add
       local.tee $19
       v128.load
       f32x4.mul
       f32x4.add
       local.get $23
       v128.load offset=16
       local.tee $16
       local.get $19
       v128.load offset=16
       f32x4.mul
       f32x4.add
       local.get $23
       v128.load offset=32
       local.tee $17
       local.get $19
       v128.load offset=32
       f32x4.mul
       f32x4.add
       local.get $23
       v128.load offset=48
       local.tee $18
       local.get $19
       v128.load offset=48
       f32x4.mul
       f32x4.add
       local.set $9
       local.get $11
       local.get $15
       local.get $4
       local.get $20
       i32.add
       local.tee $19
       v128.load
       f32x4.mul
       f32x4.add
       local.get $16
       local.get $19
       v128.load offset=16
       f32x4.mul
       f32x4.add
       local.get $17
       local.get $19
       v128.load offset=32
       f32x4.mul
       f32x4.add
       local.get $18
       local.get $19
       v128.load offset=48
       f32x4.mul
       f32x4.add
       local.set $11
       local.get $12
       local.get $15
       local.get $4
       local.get $21
       i32.add
       local.tee $19
       v128.load
       f32x4.mul
       f32x4.add
       local.get $16
       local.get $19
       v128.load offset=16
       f32x4.mul
       f32x4.add
       local.get $17
       local.get $19
       v128.load offset=32
       f32x4.mul
       f32x4.add
       local.get $18
       local.get $19
       v128.load offset=48
       f32x4.mul
       f32x4.add
       local.set $12
       local.get $13
       local.get $15
       local.get $4
       local.get $22
       i32.add
       local.tee $19
       v128.load
       f32x4.mul
       f32x4.add
       local.get $16
       local.get $19
       v128.load offset=16
       f32x4.mul
       f32x4.add
       local.get $17
       local.get $19
       v128.load offset=32
       f32x4.mul
       f32x4.add
       local.get $18
       local.get $19
       v128.load offset=48
       f32x4.mul
       f32x4.add
       local.set $13
       local.get $4
       i32.const -64
       i32.sub
       local.set $4
       br $for-loop|1
      end
     end
     local.get $9
     local.get $11
     i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
     local.get $9
     local.get $11
     i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
     f32x4.add
     local.tee $9
     local.get $12
     local.get $13
     i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
     local.get $12
     local.get $13
     i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31
     f32x4.add
     local.tee $11
     i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
     local.get $9
     local.get $11
     i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31
     f32x4.add
     local.tee $9
     local.get $8
     f32x4.splat
     f32x4.gt
     v128.any_true
     if
      local.get $9
      local.get $10
      local.get $8
      call $shared/scoring/kernel/scorer/offer4
      local.set $8
     end
     local.get $10
     i32.const 4
     i32.add
     local.set $10
     br $for-loop|0
    end
   end
  end
  loop $for-loop|2
   local.get $1
   local.get $10
   i32.gt_s
   if
    local.get $0
    local.get $5
    local.get $10
    i32.mul
    i32.add
    local.set $19
    i32.const 0
    local.set $6
    local.get $2
    i32.const -4
    i32.and
    local.set $4
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    local.set $9
    loop $for-loop|00
     local.get $4
     local.get $6
     i32.gt_s
     if
      local.get $9
      local.get $6
      i32.const 2
      i32.shl
      local.tee $20
      local.get $3
      i32.add
      v128.load
      local.get $19
      local.get $20
      i32.add
      v128.load
      f32x4.mul
      f32x4.add
      local.set $9
      local.get $6
      i32.const 4
      i32.add
      local.set $6
      br $for-loop|00
     end
    end
    local.get $9
    f32x4.extract_lane 0
    local.get $9
    f32x4.extract_lane 2
    f32.add
    local.get $9
    f32x4.extract_lane 1
    local.get $9
    f32x4.extract_lane 3
    f32.add
    f32.add
    local.set $14
    loop $for-loop|11
     local.get $2
     local.get $4
     i32.gt_s
     if
      local.get $14
      local.get $4
      i32.const 2
      i32.shl
      local.tee $6
      local.get $3
      i32.add
      f32.load
      local.get $6
      local.get $19
      i32.add
      f32.load
      f32.mul
      f32.add
      local.set $14
      local.get $4
      i32.const 1
      i32.add
      local.set $4
      br $for-loop|11
     end
    end
    local.get $8
    local.get $14
    f32.lt
    if
     local.get $14
     local.get $10
     call $shared/scoring/kernel/scorer/offer
     local.set $8
    end
    local.get $10
    i32.const 1
    i32.add
    local.set $10
    br $for-loop|2
   end
  end
  local.get $7
  call $shared/scoring/kernel/scorer/drain
 )
 (func $shared/scoring/kernel/scorer/readProbe (param $0 i32) (param $1 i32) (result i32)
  (local $2 v128)
  (local $3 v128)
  (local $4 v128)
  (local $5 v128)
  local.get $0
  local.get $1
  i32.add
  local.set $1
  loop $for-loop|0
   local.get $0
   local.get $1
   i32.lt_u
   if
    local.get $2
    local.get $0
    v128.load
    i32x4.add
    local.set $2
    local.get $3
    local.get $0
    v128.load offset=16
    i32x4.add
    local.set $3
    local.get $4
    local.get $0
    v128.load offset=32
    i32x4.add
    local.set $4
    local.get $5
    local.get $0
    v128.load offset=48
    i32x4.add
    local.set $5
    local.get $0
    i32.const -64
    i32.sub
    local.set $0
    br $for-loop|0
   end
  end
  local.get $2
  local.get $3
  i32x4.add
  local.get $4
  local.get $5
  i32x4.add
  i32x4.add
  local.tee $2
  i32x4.extract_lane 0
  local.get $2
  i32x4.extract_lane 1
  i32.xor
  local.get $2
  i32x4.extract_lane 2
  i32.xor
  local.get $2
  i32x4.extract_lane 3
  i32.xor
 )
 (func $shared/scoring/kernel/scorer/heapBase (result i32)
  i32.const 1024
 )
)
