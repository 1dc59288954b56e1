import { Body, Controller, Get, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { ClosureView, CreateClosureDto, CreateRoomDto, CreateSiteDto, RoomView, SiteLocationDto, SiteView } from './dto/sites.dto';
import { SitesService } from './sites.service';

@ApiTags('sites')
@ApiBearerAuth()
@Controller('v1/sites')
export class SitesController {
  constructor(private readonly sites: SitesService) {}

  @Post()
  @RequireScope('admin')
  @ApiCreatedResponse({ type: SiteView })
  @ApiErrors(...BODY_ERRORS, { 400: 'INVALID_OPENING_HOURS when a day closes before it opens' })
  create(@Body() dto: CreateSiteDto): Promise<SiteView> {
    return this.sites.create(dto);
  }

  @Get()
  @RequireScope('slots:read')
  @ApiOkResponse({ type: [SiteView] })
  list(): Promise<SiteView[]> {
    return this.sites.list();
  }

  @Get(':id')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: SiteView })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  get(@Param('id', UuidParam) id: string): Promise<SiteView> {
    return this.sites.get(id);
  }

  @Put(':id/location')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Where the site is, as GET /v1/slots?nearSiteId= reads it: its area (null for none) and its point (latitude and longitude, both or neither). Replaces what was there.' })
  @ApiOkResponse({ type: SiteView })
  @ApiErrors(...BODY_ERRORS, { 404: 'SITE_NOT_FOUND' })
  setLocation(@Param('id', UuidParam) id: string, @Body() dto: SiteLocationDto): Promise<SiteView> {
    return this.sites.setLocation(id, dto);
  }

  @Post(':id/rooms')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: RoomView })
  @ApiErrors(...BODY_ERRORS, { 404: 'SITE_NOT_FOUND', 409: 'ROOM_EXISTS' })
  createRoom(@Param('id', UuidParam) id: string, @Body() dto: CreateRoomDto): Promise<RoomView> {
    return this.sites.createRoom(id, dto);
  }

  @Get(':id/rooms')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: [RoomView] })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  listRooms(@Param('id', UuidParam) id: string): Promise<RoomView[]> {
    return this.sites.listRooms(id);
  }

  @Post(':id/closures')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: ClosureView })
  @ApiErrors(...BODY_ERRORS, { 404: 'SITE_NOT_FOUND', 409: 'CLOSURE_EXISTS' })
  createClosure(@Param('id', UuidParam) id: string, @Body() dto: CreateClosureDto): Promise<ClosureView> {
    return this.sites.createClosure(id, dto);
  }
}
